import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxUser } from './identity.js';

// The boundary both backends run in, built by the host kernel through bubblewrap (bwrap): the
// host's whole filesystem bound read-only, private size-limited tmpfs mounts as the only
// writable places, the learner's homes hidden. Pure argv building; README "What the sandbox
// guarantees" says what it does and does not cover.

const MiB = 1024 * 1024;

/** Per-sandbox bounds. */
export const LIMITS = {
  /**
   * Tasks (processes and threads) of one sandbox. RLIMIT_NPROC is counted per user namespace
   * since Linux 5.14: set in the sandbox before its inner namespace is made, it bounds that
   * sandbox's tasks only, not the learner's other processes.
   */
  tasks: 256,
  /** Address space of each host-backend process (RLIMIT_AS): a memory hog fails to allocate past it. */
  addressSpaceBytes: 1024 * MiB,
  /** oom_score_adj of everything in a sandbox: under memory pressure the kernel ends sandbox processes first. */
  oomScoreAdj: 1000,
} as const;

/** The host backend's writable places (everything else is the host's, read-only). */
export const HOST_TMPFS: readonly Tmpfs[] = [
  { path: '/tmp', bytes: 64 * MiB, mode: '1777' },
  { path: '/run', bytes: 16 * MiB, mode: '0755' },
  { path: '/root', bytes: 16 * MiB, mode: '0700' },
  { path: '/dev/shm', bytes: 16 * MiB, mode: '1777' },
];

export interface Tmpfs {
  path: string;
  bytes: number;
  mode: string;
}

export interface Bind {
  src: string;
  dest: string;
  readOnly?: boolean;
}

export interface BoundaryPlan {
  /** bwrap namespaces besides the user namespace. */
  unshare: readonly ('pid' | 'ipc' | 'net' | 'uts' | 'cgroup')[];
  /** Private writable tmpfs mounts, each with a size. */
  tmpfs: readonly Tmpfs[];
  /** Host directories covered by an empty read-only tmpfs (the homes). */
  hide: readonly string[];
  /** Host paths put back read-only inside hidden directories (node, the tutor's own files). */
  expose: readonly string[];
  /** Host directories bound in (the sandbox's own private directories), read-write unless said. */
  binds: readonly Bind[];
  /** Sized tmpfs mounts placed on top of the binds (a writable corner of a read-only bind). */
  overlays?: readonly Tmpfs[];
}

const under = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/** bwrap's argv (program first) for a plan; the command to run follows it. */
export function bwrapArgv(plan: BoundaryPlan): string[] {
  const a = ['bwrap', '--unshare-user', ...plan.unshare.map((n) => `--unshare-${n}`), '--die-with-parent'];
  a.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc');
  for (const t of plan.tmpfs) a.push('--perms', t.mode, '--size', String(t.bytes), '--tmpfs', t.path);
  const hide = plan.hide.filter(
    (h, i) => !plan.tmpfs.some((t) => under(h, t.path)) && !plan.hide.some((o, j) => j !== i && o !== h && under(h, o)),
  );
  for (const h of hide) a.push('--perms', '0755', '--tmpfs', h);
  for (const e of plan.expose) if (hide.some((h) => under(e, h))) a.push('--ro-bind', e, e);
  for (const b of plan.binds) a.push(b.readOnly ? '--ro-bind' : '--bind', b.src, b.dest);
  for (const t of plan.overlays ?? []) a.push('--perms', t.mode, '--size', String(t.bytes), '--tmpfs', t.path);
  // Last, when every mount point exists: the minimal /dev and the hiding tmpfs become read-only.
  for (const d of ['/dev', ...hide]) a.push('--remount-ro', d);
  a.push('--');
  return a;
}

/** choom and prlimit before the UML kernel, inside its boundary: its OOM preference and task limit. */
export function limitedKernelPrefix(): string[] {
  return ['choom', '-n', String(LIMITS.oomScoreAdj), '--', 'prlimit', `--nproc=${LIMITS.tasks}`, '--'];
}

/**
 * The homes a learner's files live in: hidden from every sandbox. So are the directories in
 * IPIP_TUTOR_HIDE_PATHS (colon-separated): the browser lab's server sets it for its attendees'
 * tutors, so no attendee can read the class's state (keys, tokens, the others' progress).
 */
export function homesToHide(user: SandboxUser, env: NodeJS.ProcessEnv = process.env): string[] {
  const homes = new Set(['/home', '/root']);
  // A directory the sandbox's user cannot even reach is protected by its permissions already, and
  // bwrap (running as that user) could not mount over it: it is left out.
  const extra = (env.IPIP_TUTOR_HIDE_PATHS ?? '').split(':').filter((h) => h && path.isAbsolute(h) && reachable(h, user));
  for (const h of [env.HOME, os.homedir(), homeOf(user.uid), ...extra]) if (h && path.isAbsolute(h)) homes.add(path.resolve(h));
  return [...homes].filter((h) => h !== '/' && isDir(h));
}

/** What the sandboxes need from the tutor's own installation (possibly under a hidden home). */
export function tutorPaths(): string[] {
  return [process.execPath, packageRoot()].filter((p): p is string => p !== null);
}

/** The directory of the tutor's package.json (the repository, or the installed package). */
export function packageRoot(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return null;
}

function homeOf(uid: number): string | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(uid));
    return line?.split(':')[5];
  } catch {
    return undefined;
  }
}

/** Every directory above `p` can be searched by `user` (owner, group or other execute bit). */
function reachable(p: string, user: SandboxUser): boolean {
  for (let d = path.dirname(path.resolve(p)); ; d = path.dirname(d)) {
    try {
      const st = statSync(d);
      const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
      if (user.uid !== 0 && !(st.mode & bit)) return false;
    } catch {
      return false;
    }
    if (d === '/') return true;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
