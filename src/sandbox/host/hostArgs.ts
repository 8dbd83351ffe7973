import { HOST_DIR_INSIDE, SANDBOX_PATH } from '../defaults.js';
import { shimInstallScript } from '../shims.js';

// Pure argv building for the host backend, kept apart from process handling so it is testable.
//
// The holder is the sandbox: pid 1 of a new user+net+mount+pid namespace. It prepares a
// private /run (so `ip netns add` has a /run/netns of its own), /tmp and /root, binds the
// sandbox's host directory at HOST_DIR_INSIDE, installs the shims, then blocks reading its stdin. When the tutor dies its end of that pipe closes, the
// holder exits, and the kernel kills everything left in the pid namespace: nothing survives.
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function holderSetupScript(extraShims: Record<string, string> = {}, hostDir?: string): string {
  return [
    'set -e',
    // The host directory may live under /tmp: bind it before the private /tmp hides it.
    ...(hostDir ? [`HOST_DIR=${q(hostDir)}`] : []),
    'mount -t tmpfs -o mode=755 tmpfs /run',
    'mkdir -p /run/netns',
    ...(hostDir ? [`mkdir -p ${HOST_DIR_INSIDE}`, `mount --bind "$HOST_DIR" ${HOST_DIR_INSIDE}`] : []),
    'mount -t tmpfs -o mode=1777 tmpfs /tmp',
    'mount -t tmpfs -o mode=700 tmpfs /root',
    shimInstallScript(extraShims),
    'ip link set lo up',
    'cd /root',
    'echo IPIP_TUTOR_READY',
    'exec cat > /dev/null',
  ].join('\n');
}

export function holderArgv(dropPrefix: readonly string[], setup: string): string[] {
  return [
    ...dropPrefix,
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
    'bash',
    '-c',
    setup,
  ];
}

/** Enter the holder's namespaces; credentials are kept because setgroups is denied in an unprivileged userns. */
export function enterArgv(dropPrefix: readonly string[], holderPid: number, argv: readonly string[]): string[] {
  return [
    ...dropPrefix,
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
