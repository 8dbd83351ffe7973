// Capability probes: what this machine can do for the course. Used by backend auto-selection
// (select.ts) and by `ipip-tutor doctor`. Every probe is read-only for the host: the ipip probe
// runs in a throwaway user+network namespace as the sandbox user, never in the real root namespace.

import { execFile } from 'node:child_process';
import { constants as fsc, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { resolveSandboxUser } from './identity.js';
import { UML_MODULES_ROOT } from './uml/bootPlan.js';

export interface ExecOutcome {
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a host program briefly; never throws (a missing program is `ok: false`, code null). */
export function tryExec(argv: readonly string[], timeoutMs = 5_000): Promise<ExecOutcome> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
      resolve({ ok: !err, code, stdout: String(stdout ?? ''), stderr: String(stderr ?? '') || (err && code === null ? err.message : '') });
    });
  });
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

/**
 * Can the host sandbox make an ipip tunnel right now? Tries `ip tunnel add` as the sandbox user in
 * a throwaway `unshare -Urn` (user + network namespace): it works only when the host kernel has
 * ipip built in or already loaded and unprivileged user namespaces are allowed.
 */
export async function canHostIpip(): Promise<boolean> {
  return (await hostIpipProbe()).ok;
}

export async function hostIpipProbe(): Promise<{ ok: boolean; detail: string }> {
  if (process.platform !== 'linux') return { ok: false, detail: 'not Linux' };
  const [unshare, ip] = await Promise.all([findExecutable('unshare'), findExecutable('ip')]);
  if (!unshare || !ip) return { ok: false, detail: `${!unshare ? 'unshare' : 'ip'} not found` };
  const user = resolveSandboxUser();
  const r = await tryExec([
    ...user.dropPrefix,
    unshare,
    '-Urn',
    ip,
    'tunnel',
    'add',
    't',
    'mode',
    'ipip',
    'remote',
    '1.2.3.4',
    'local',
    '1.2.3.5',
  ]);
  return { ok: r.ok, detail: r.ok ? 'ip tunnel add … mode ipip works in a user namespace' : r.stderr.trim() || `exit ${r.code}` };
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

/** /dev/shm must be a writable tmpfs that allows executable mappings (UML maps its memory there). */
export async function devShmProbe(): Promise<{ ok: boolean; detail: string }> {
  try {
    const st = await fsp.stat('/dev/shm');
    if (!st.isDirectory()) return { ok: false, detail: '/dev/shm is not a directory' };
    await fsp.access('/dev/shm', fsc.W_OK);
  } catch (e) {
    return { ok: false, detail: `/dev/shm: ${(e as Error).message}` };
  }
  const mounts = (await readText('/proc/mounts')) ?? '';
  const line = mounts.split('\n').find((l) => l.split(' ')[1] === '/dev/shm');
  if (line && /(^|,)noexec(,|$)/.test(line.split(' ')[3] ?? '')) {
    return { ok: false, detail: '/dev/shm is mounted noexec (User-Mode Linux needs executable mappings there)' };
  }
  return { ok: true, detail: line ? `${line.split(' ')[2]} (${line.split(' ')[3]})` : 'present' };
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
