// Capability probes: what this machine can do for the course. Used by backend auto-selection
// (select.ts) and by `ipip-tutor doctor`. Every probe is read-only for the host: the ipip probe
// runs in a throwaway user+network namespace as the sandbox user, never in the real root namespace.

import { execa } from 'execa';
import { constants as fsc, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { bwrapArgv, homesToHide, limitedKernelPrefix, tutorPaths, type BoundaryPlan } from './confine.js';
import { hostBoundary, innerArgv } from './host/hostArgs.js';
import { resolveSandboxUser } from './identity.js';
import { UML_MODULES_ROOT } from './uml/bootPlan.js';

export interface ExecOutcome {
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a host program briefly; never throws (a missing program is `ok: false`, code null). */
export async function tryExec(argv: readonly string[], timeoutMs = 5_000): Promise<ExecOutcome> {
  const r = await execa(argv[0]!, argv.slice(1), { timeout: timeoutMs, reject: false, stdin: 'ignore' });
  const code = typeof r.exitCode === 'number' ? r.exitCode : null;
  const stderr = String(r.stderr ?? '');
  return {
    ok: !r.failed,
    code,
    stdout: String(r.stdout ?? ''),
    stderr: stderr || (r.failed && code === null ? (r.shortMessage ?? '') : ''),
  };
}

/** Absolute path of an executable found on PATH (plus the sbin directories a user's PATH may lack). */
export async function findExecutable(name: string): Promise<string | null> {
  if (name.includes('/')) return name;
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      await fsp.access(p, fsc.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

export interface Probe {
  ok: boolean;
  detail: string;
}

const BOUNDARY_MARK = 'IPIP_TUTOR_BOUNDARY';

/**
 * The host sandbox as it will be built: inside its boundary (bwrap, then the inner user and
 * network namespace, as the sandbox user) it tries `ip tunnel add … mode ipip`. `boundary` says
 * whether that boundary could be built at all; `ipip` whether the tunnel then worked, which needs
 * a host kernel with ipip built in or already loaded.
 */
export async function hostProbe(): Promise<{ boundary: Probe; ipip: Probe }> {
  const no = (detail: string) => ({ boundary: { ok: false, detail }, ipip: { ok: false, detail: 'no sandbox to try it in' } });
  if (process.platform !== 'linux') return no('not Linux');
  const missing = await missingPrograms(['bwrap', 'unshare', 'ip', 'prlimit']);
  if (missing) return no(missing);
  const user = resolveSandboxUser();
  const plan = hostBoundary({ hide: homesToHide(user), expose: tutorPaths() });
  const tunnel = 'ip tunnel add t mode ipip remote 1.2.3.4 local 1.2.3.5';
  const r = await tryExec([...user.dropPrefix, ...bwrapArgv(plan), ...innerArgv(['sh', '-c', `echo ${BOUNDARY_MARK}; exec ${tunnel}`])]);
  if (!r.stdout.includes(BOUNDARY_MARK)) return no(await explainUserns(r.stderr.trim() || `exit ${r.code}`));
  return {
    boundary: { ok: true, detail: `bwrap, host read-only, as ${user.describe}` },
    ipip: { ok: r.ok, detail: r.ok ? 'ip tunnel add … mode ipip works in the sandbox' : r.stderr.trim() || `exit ${r.code}` },
  };
}

/** The uml backend's boundary: can the kernel be started inside bwrap, with its limits? */
export async function umlBoundaryProbe(): Promise<Probe> {
  if (process.platform !== 'linux') return { ok: false, detail: 'not Linux' };
  const missing = await missingPrograms(['bwrap', 'prlimit', 'choom', 'setpriv']);
  if (missing) return { ok: false, detail: missing };
  const user = resolveSandboxUser();
  const plan: BoundaryPlan = {
    unshare: ['pid', 'ipc', 'net', 'uts', 'cgroup'],
    tmpfs: [{ path: '/dev/shm', bytes: 1 << 20, mode: '1777' }],
    hide: homesToHide(user),
    expose: tutorPaths(),
    binds: [],
  };
  const r = await tryExec([...user.dropPrefix, ...bwrapArgv(plan), ...limitedKernelPrefix(), 'true']);
  return r.ok
    ? { ok: true, detail: `bwrap, host read-only, as ${user.describe}` }
    : { ok: false, detail: await explainUserns(r.stderr.trim() || `exit ${r.code}`) };
}

async function missingPrograms(names: readonly string[]): Promise<string | null> {
  const found = await Promise.all(names.map(findExecutable));
  const gone = names.filter((_, i) => !found[i]);
  return gone.length ? `${gone.join(', ')} not found` : null;
}

async function explainUserns(detail: string): Promise<string> {
  const restrict = await readText('/proc/sys/kernel/apparmor_restrict_unprivileged_userns');
  return restrict?.trim() === '1' ? `${detail} (kernel.apparmor_restrict_unprivileged_userns=1)` : detail;
}

/** Can the sandbox user create a user namespace (the host backend's foundation)? */
export async function userNamespacesProbe(): Promise<{ ok: boolean; detail: string }> {
  if (process.platform !== 'linux') return { ok: false, detail: 'not Linux' };
  const unshare = await findExecutable('unshare');
  if (!unshare) return { ok: false, detail: 'unshare (util-linux) not found' };
  const user = resolveSandboxUser();
  const r = await tryExec([...user.dropPrefix, unshare, '-Urn', 'true']);
  let detail = r.ok ? `as ${user.describe}` : r.stderr.trim() || `exit ${r.code}`;
  if (!r.ok) {
    const restrict = await readText('/proc/sys/kernel/apparmor_restrict_unprivileged_userns');
    if (restrict?.trim() === '1') detail += ' (kernel.apparmor_restrict_unprivileged_userns=1)';
  }
  return { ok: r.ok, detail };
}

export interface UmlProbe {
  ok: boolean;
  kernel: string | null;
  /** Module releases found under /usr/lib/uml/modules that include ipip.ko. */
  ipipModules: string[];
  detail: string;
}

/** Is User-Mode Linux installed with its modules (the ipip module in particular)? */
export async function umlAvailable(kernelName = process.env.IPIP_TUTOR_UML_KERNEL ?? 'linux.uml'): Promise<UmlProbe> {
  const kernel = kernelName.includes('/') ? kernelName : await findExecutable(kernelName);
  if (!kernel) return { ok: false, kernel: null, ipipModules: [], detail: 'linux.uml not found' };
  const ipipModules: string[] = [];
  try {
    for (const rel of await fsp.readdir(UML_MODULES_ROOT)) {
      if (await exists(path.join(UML_MODULES_ROOT, rel, 'kernel/net/ipv4/ipip.ko'))) ipipModules.push(rel);
    }
  } catch {
    /* no module tree */
  }
  if (!(await exists(kernel))) return { ok: false, kernel: null, ipipModules, detail: `${kernel} does not exist` };
  if (ipipModules.length === 0) {
    return { ok: false, kernel, ipipModules, detail: `${kernel} found, but no ipip.ko under ${UML_MODULES_ROOT}` };
  }
  return { ok: true, kernel, ipipModules, detail: `${kernel}, modules ${ipipModules.join(', ')}` };
}

export type IpipModuleState = 'loaded' | 'builtin' | 'available' | 'missing';

/** The host kernel's ipip support: loaded now, built in, loadable (needs root), or absent. */
export async function hostIpipModule(): Promise<IpipModuleState> {
  if (await exists('/sys/module/ipip')) return 'loaded';
  const release = os.release();
  const dir = path.join('/lib/modules', release);
  const builtin = await readText(path.join(dir, 'modules.builtin'));
  if (builtin && /\/ipip\.ko/.test(builtin)) return 'builtin';
  const dep = await readText(path.join(dir, 'modules.dep'));
  if (dep && /\/ipip\.ko(\.\w+)?:/.test(dep)) return 'available';
  return 'missing';
}

export type PackageManager = 'apt-get' | 'dnf' | null;

export async function packageManager(): Promise<PackageManager> {
  if (await findExecutable('apt-get')) return 'apt-get';
  if (await findExecutable('dnf')) return 'dnf';
  return null;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

async function readText(p: string): Promise<string | null> {
  try {
    return await fsp.readFile(p, 'utf8');
  } catch {
    return null;
  }
}
