import type { PackageManager } from './probe.js';

// The one place that knows which package provides what the course needs, and the command that
// installs it. Backend choice, the sandboxes' errors and `doctor` all ask here.
export type Requirement = 'ip' | 'ping' | 'route' | 'tcpdump' | 'dumpcap' | 'uml' | 'bwrap';

const PACKAGES: Record<Exclude<PackageManager, null>, Record<Requirement, string | null>> = {
  'apt-get': {
    ip: 'iproute2',
    ping: 'iputils-ping',
    route: 'net-tools',
    tcpdump: 'tcpdump',
    // the host backend captures inside the sandbox with dumpcap (tcpdump itself cannot start there)
    dumpcap: 'wireshark-common',
    uml: 'user-mode-linux',
    bwrap: 'bubblewrap',
  },
  // Fedora/RHEL do not ship a User-Mode Linux kernel.
  dnf: { ip: 'iproute', ping: 'iputils', route: 'net-tools', tcpdump: 'tcpdump', dumpcap: 'wireshark-cli', uml: null, bwrap: 'bubblewrap' },
};

export function packageFor(pm: PackageManager, what: Requirement): string | null {
  return pm ? PACKAGES[pm][what] : null;
}

/** `sudo apt-get install PKG`, or null when no package is known here. */
export function installCommand(pm: PackageManager, what: Requirement): string | null {
  const p = packageFor(pm, what);
  return p && pm ? `sudo ${pm} install ${p}` : null;
}

/** The exact command that installs User-Mode Linux here, or null when no package is known. */
export function umlInstallCommand(pm: PackageManager): string | null {
  return installCommand(pm, 'uml');
}

/** For a SandboxError at boot, where the package manager is not probed. */
export const UML_INSTALL_FIX =
  'Install User-Mode Linux: `sudo apt-get install user-mode-linux` (Debian/Ubuntu), then run `ipip-tutor doctor`.';

export function umlMissingFix(pm: PackageManager): string {
  const install = umlInstallCommand(pm);
  const alt = 'or make the host kernel able to build tunnels: `sudo modprobe ipip` (the module must exist for your kernel)';
  if (install) return `Install User-Mode Linux: \`${install}\`, ${alt}.`;
  if (pm === 'dnf') {
    return `Your distribution (dnf) does not package User-Mode Linux: ${alt.replace(/^or /, '')}; if ipip is missing, \`sudo dnf install kernel-modules-extra\` and reboot into that kernel.`;
  }
  return `Install User-Mode Linux (Debian/Ubuntu: \`sudo apt-get install user-mode-linux\`), ${alt}.`;
}

/** What to do when a sandbox's boundary cannot be built, given why (a probe's detail). */
export function boundaryFix(pm: PackageManager, detail: string): string {
  if (/bwrap.*not found/.test(detail)) {
    return `Install bubblewrap: \`${installCommand(pm, 'bwrap') ?? 'sudo apt-get install bubblewrap'}\` (the sandboxes run inside it).`;
  }
  if (/apparmor_restrict/.test(detail)) {
    return 'Allow unprivileged user namespaces: `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu 23.10+).';
  }
  return 'Allow unprivileged user namespaces (`sysctl user.max_user_namespaces` must be above 0; on Ubuntu 23.10+ also `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`), and install bubblewrap.';
}
