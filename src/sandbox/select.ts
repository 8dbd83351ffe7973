// Turns `--backend auto|host|uml` into a backend and a reason the learner can read. The decision
// is a pure function of probe results (decideBackend, also doctor's verdict); chooseBackend
// gathers the probes. A backend whose boundary cannot be built is never chosen: there is no
// unconfined way to run, and nothing turns the boundary off.

import { td } from '../i18n/doctorMessages.js';
import type { Lang } from '../i18n/lang.js';
import { boundaryFix, umlMissingFix } from './packages.js';
import { hostProbe, packageManager, umlAvailable, umlBoundaryProbe, type PackageManager, type Probe } from './probe.js';
import { SandboxError, type BackendName } from './types.js';

export { umlInstallCommand, umlMissingFix } from './packages.js';

export type BackendRequest = BackendName | 'auto';

export interface BackendFacts {
  /** The host sandbox's boundary (bwrap + inner user namespace) can be built here. */
  hostBoundary: Probe;
  /** The host sandbox can make an ipip tunnel right now (and why not, when it cannot). */
  hostIpip: Probe;
  /** User-Mode Linux with an ipip module is installed. */
  uml: Probe;
  /** The UML kernel's boundary (bwrap) can be built here. */
  umlBoundary: Probe;
  packageManager: PackageManager;
}

export interface BackendChoiceResult {
  backend: BackendName;
  reason: string;
  /** The host ipip probe's answer when it was made, so the host sandbox need not probe again. */
  hostIpip?: boolean;
}

export function decideBackend(requested: BackendRequest, facts: BackendFacts, lang: Lang = 'en'): BackendChoiceResult {
  const pm = facts.packageManager;
  const t = (k: Parameters<typeof td>[1], p?: Parameters<typeof td>[2]) => td(lang, k, p);
  if (requested === 'host') {
    if (!facts.hostBoundary.ok) {
      throw new SandboxError(
        t('backend_host_unconfined', { detail: facts.hostBoundary.detail }),
        boundaryFix(pm, facts.hostBoundary.detail, lang),
      );
    }
    return {
      backend: 'host',
      reason: facts.hostIpip.ok ? t('reason_requested', { backend: 'host' }) : t('reason_host_no_ipip', { detail: facts.hostIpip.detail }),
    };
  }
  if (requested === 'uml') {
    if (!facts.uml.ok) throw new SandboxError(t('backend_uml_missing', { detail: facts.uml.detail }), umlMissingFix(pm, lang));
    if (!facts.umlBoundary.ok) {
      throw new SandboxError(
        t('backend_uml_unconfined', { detail: facts.umlBoundary.detail }),
        boundaryFix(pm, facts.umlBoundary.detail, lang),
      );
    }
    return { backend: 'uml', reason: t('reason_requested', { backend: 'uml' }) };
  }
  if (facts.hostBoundary.ok && facts.hostIpip.ok) return { backend: 'host', reason: t('reason_auto_host') };
  const hostWhy = facts.hostBoundary.ok ? facts.hostIpip.detail : t('why_unconfined', { detail: facts.hostBoundary.detail });
  if (facts.uml.ok && facts.umlBoundary.ok) return { backend: 'uml', reason: t('reason_auto_uml', { detail: hostWhy }) };
  const umlWhy = facts.uml.ok ? t('why_unconfined', { detail: facts.umlBoundary.detail }) : facts.uml.detail;
  const unconfined = [facts.hostBoundary, facts.umlBoundary].find((b) => !b.ok);
  // Fix first what stops both backends (the boundary), else what the course is missing (UML or ipip).
  const fix = unconfined && (!facts.hostBoundary.ok || facts.uml.ok) ? boundaryFix(pm, unconfined.detail, lang) : umlMissingFix(pm, lang);
  throw new SandboxError(t('backend_none', { host: hostWhy, uml: umlWhy }), fix);
}

/** Gather only the probes the request needs, then decide. */
export async function chooseBackend(requested: BackendRequest, lang: Lang = 'en'): Promise<BackendChoiceResult> {
  const skipped = { ok: false, detail: 'not probed' };
  const [host, uml, umlBoundary, pm] = await Promise.all([
    requested === 'uml' ? Promise.resolve({ boundary: skipped, ipip: skipped }) : hostProbe(),
    requested === 'host' ? Promise.resolve(skipped) : umlAvailable(),
    requested === 'host' ? Promise.resolve(skipped) : umlBoundaryProbe(),
    packageManager(),
  ]);
  const facts = { hostBoundary: host.boundary, hostIpip: host.ipip, uml, umlBoundary, packageManager: pm };
  const choice = decideBackend(requested, facts, lang);
  return requested === 'uml' ? choice : { ...choice, hostIpip: host.ipip.ok };
}
