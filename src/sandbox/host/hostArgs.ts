import { bwrapArgv, HOST_TMPFS, LIMITS, type BoundaryPlan } from '../confine.js';
import { HOST_DIR_INSIDE, SANDBOX_PATH } from '../defaults.js';
import { shimInstallScript } from '../shims.js';

// Pure argv building for the host backend, kept apart from process handling so it is testable.
//
// The boundary (confine.ts): bwrap binds the host's filesystem read-only, with private sized
// tmpfs mounts for /tmp, /run, /root and /dev/shm and the homes hidden. Inside it a second user
// namespace is made (`unshare --user`): mounts made in an outer user namespace are locked for an
// inner one, so in-sandbox root cannot remount them read-write or uncover what they hide. The
// task limit is set between the two, which makes it count this sandbox's tasks only.
//
// The holder is the sandbox: pid 1 of the inner user+net+mount+pid namespace. It installs the
// shims, then blocks reading its stdin, reaping orphans meanwhile. When the tutor dies its end of that pipe closes, the
// holder exits, and the kernel kills everything left in the pid namespace: nothing survives.
export function holderSetupScript(extraShims: Record<string, string> = {}): string {
  return [
    'set -e',
    'mkdir -p /run/netns',
    shimInstallScript(extraShims),
    'ip link set lo up',
    'cd /root',
    'echo IPIP_TUTOR_READY',
    // pid 1 reads its stdin itself (a child would be killed by a sweep, see sweep.ts), and as
    // bash it reaps orphans: zombies would go on counting against the task limit.
    'while read -r _; do :; done',
  ].join('\n');
}

export function hostBoundary(o: { hide: readonly string[]; expose: readonly string[]; hostDir?: string }): BoundaryPlan {
  return {
    unshare: ['pid', 'ipc'],
    tmpfs: HOST_TMPFS,
    hide: o.hide,
    expose: o.expose,
    binds: o.hostDir ? [{ src: o.hostDir, dest: HOST_DIR_INSIDE }] : [],
  };
}

/** Limits of every process the tutor starts in the sandbox, as bash's `ulimit` (KiB for -v). */
const ULIMITS = `ulimit -u ${LIMITS.tasks} -v ${LIMITS.addressSpaceBytes / 1024}`;

/** The command that, inside the boundary, makes the inner namespaces and runs `argv` there. */
export function innerArgv(argv: readonly string[]): string[] {
  return [
    'bash',
    '-c',
    `${ULIMITS} && echo ${LIMITS.oomScoreAdj} > /proc/self/oom_score_adj && exec "$@"`,
    'ipip-tutor-boundary',
    'unshare',
    '--user',
    '--map-root-user',
    '--net',
    '--mount',
    '--pid',
    '--fork',
    '--mount-proc',
    '--propagation',
    'private',
    '--kill-child',
    ...argv,
  ];
}

export function holderArgv(dropPrefix: readonly string[], setup: string, plan: BoundaryPlan): string[] {
  return [...dropPrefix, ...bwrapArgv(plan), ...innerArgv(['bash', '-c', setup])];
}

/** prlimit's argv: the per-process limits for a process the tutor starts from outside (nsenter). */
export function limitPrefix(): string[] {
  return ['prlimit', `--as=${LIMITS.addressSpaceBytes}`, `--nproc=${LIMITS.tasks}`, '--'];
}

/** Enter the holder's namespaces; credentials are kept because setgroups is denied in an unprivileged userns. */
export function enterArgv(dropPrefix: readonly string[], holderPid: number, argv: readonly string[]): string[] {
  return [
    ...dropPrefix,
    ...limitPrefix(),
    'nsenter',
    `--target=${holderPid}`,
    '--user',
    '--net',
    '--mount',
    '--pid',
    '--preserve-credentials',
    '--wd',
    '--',
    ...argv,
  ];
}

export function sandboxEnv(): Record<string, string> {
  return {
    PATH: SANDBOX_PATH,
    HOME: '/root',
    USER: 'root',
    LOGNAME: 'root',
    TERM: 'dumb',
    LANG: process.env.LANG ?? 'C.UTF-8',
  };
}
