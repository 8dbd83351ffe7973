// Limits applied to every typed command unless the caller says otherwise. A learner's `ping`
// without `-c` or a `yes` must never hang or drown the session.
export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024;
/** After SIGINT, how long a command gets to print its summary (ping statistics) before SIGKILL. */
export const KILL_GRACE_MS = 1_000;
/** PATH inside every sandbox: the shim directory first, so `sudo` and friends resolve to our shims. */
export const SHIM_DIR = '/run/ipip-tutor/bin';
export const SANDBOX_PATH = `${SHIM_DIR}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
/** Inside the host sandbox: a private host directory shared read-write with the tutor (HostSandbox.hostDir). */
export const HOST_DIR_INSIDE = '/run/ipip-tutor/host';
