import type { Lang } from '../i18n/lang.js';
import { tsb } from '../i18n/sandboxMessages.js';
import type { PackageManager } from './probe.js';
import type { Said } from './types.js';

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
export const UML_INSTALL_FIX: Said = { key: 'fix_uml_install_apt' };

/** What to do when User-Mode Linux is missing, with this machine's package manager. */
export function umlMissingFix(pm: PackageManager, lang: Lang = 'en'): string {
  const install = umlInstallCommand(pm);
  if (install) return tsb(lang, 'fix_uml_install', { install });
  return tsb(lang, pm === 'dnf' ? 'fix_uml_dnf' : 'fix_uml_unknown');
}

/** What to do when a sandbox's boundary cannot be built, given why (a probe's detail). */
export function boundaryFix(pm: PackageManager, detail: string, lang: Lang = 'en'): string {
  if (/bwrap.*not found/.test(detail))
    return tsb(lang, 'fix_bwrap', { install: installCommand(pm, 'bwrap') ?? 'sudo apt-get install bubblewrap' });
  if (/apparmor_restrict/.test(detail)) return tsb(lang, 'fix_apparmor');
  return tsb(lang, 'fix_userns');
}
