// Turns `--backend auto|host|uml` into a backend and a reason the learner can read. The decision
// is a pure function of probe results (decideBackend); chooseBackend gathers the probes.

import { hostIpipProbe, packageManager, umlAvailable, type PackageManager } from './probe.js';
import { SandboxError, type BackendName } from './types.js';

export type BackendRequest = BackendName | 'auto';

export interface BackendFacts {
  /** The host sandbox can make an ipip tunnel right now (and why not, when it cannot). */
  hostIpip: { ok: boolean; detail: string };
  /** User-Mode Linux with an ipip module is installed. */
  uml: { ok: boolean; detail: string };
  packageManager: PackageManager;
}

export interface BackendChoiceResult {
  backend: BackendName;
  reason: string;
  /** The host ipip probe's answer when it was made, so the host sandbox need not probe again. */
  hostIpip?: boolean;
}

/** The exact command that installs User-Mode Linux here, or null when no package is known. */
export function umlInstallCommand(pm: PackageManager): string | null {
  // Debian and Ubuntu package it as user-mode-linux; Fedora/RHEL do not ship a UML kernel.
  return pm === 'apt-get' ? 'sudo apt-get install user-mode-linux' : null;
}

export function umlMissingFix(pm: PackageManager): string {
  const install = umlInstallCommand(pm);
  const alt = 'or make the host kernel able to build tunnels: `sudo modprobe ipip` (the module must exist for your kernel)';
  if (install) return `Install User-Mode Linux: \`${install}\`, ${alt}.`;
  if (pm === 'dnf') {
    return `Your distribution (dnf) does not package User-Mode Linux: ${alt.replace(/^or /, '')}; if ipip is missing, \`sudo dnf install kernel-modules-extra\` and reboot into that kernel.`;
  }
  return `Install User-Mode Linux (Debian/Ubuntu: \`sudo apt-get install user-mode-linux\`), ${alt}.`;
}

export function decideBackend(requested: BackendRequest, facts: BackendFacts): BackendChoiceResult {
  if (requested === 'host') {
    return {
      backend: 'host',
      reason: facts.hostIpip.ok
        ? 'requested with --backend host'
        : `requested with --backend host (note: ipip tunnels will fail here: ${facts.hostIpip.detail})`,
    };
  }
  if (requested === 'uml') {
    if (!facts.uml.ok) {
      throw new SandboxError(
        `--backend uml was requested, but User-Mode Linux is not usable: ${facts.uml.detail}.`,
        umlMissingFix(facts.packageManager),
      );
    }
    return { backend: 'uml', reason: 'requested with --backend uml' };
  }
  if (facts.hostIpip.ok) {
    return { backend: 'host', reason: 'the host kernel can make ipip tunnels in a rootless sandbox' };
  }
  if (facts.uml.ok) {
    return {
      backend: 'uml',
      reason: `the host kernel cannot make ipip tunnels here (${facts.hostIpip.detail}); using a User-Mode Linux kernel`,
    };
  }
  throw new SandboxError(
    `This machine cannot run the course's tunnels: the host kernel cannot make an ipip tunnel in a sandbox (${facts.hostIpip.detail}), and User-Mode Linux is not available (${facts.uml.detail}).`,
    umlMissingFix(facts.packageManager),
  );
}

/** Gather only the probes the request needs, then decide. */
export async function chooseBackend(requested: BackendRequest): Promise<BackendChoiceResult> {
  const skipped = { ok: false, detail: 'not probed' };
  const [hostIpip, uml, pm] = await Promise.all([
    requested === 'uml' ? Promise.resolve(skipped) : hostIpipProbe(),
    requested === 'host' ? Promise.resolve(skipped) : umlAvailable(),
    packageManager(),
  ]);
  const choice = decideBackend(requested, { hostIpip, uml, packageManager: pm });
  return requested === 'uml' ? choice : { ...choice, hostIpip: hostIpip.ok };
}
