// Who the sandbox runs as on the host. Typed commands must never hold host root power, so a
// root caller is dropped to the sudo caller (SUDO_UID) or, with no caller to return to, to nobody.
export interface SandboxUser {
  uid: number;
  gid: number;
  /** argv prefix that switches to this user (empty when we already are this user). */
  dropPrefix: string[];
  /** Human description for doctor and error messages. */
  describe: string;
}

const NOBODY = 65534;

export function resolveSandboxUser(
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? 0,
  gid: number = process.getgid?.() ?? 0,
): SandboxUser {
  if (uid !== 0) return { uid, gid, dropPrefix: [], describe: `uid ${uid}` };
  const sudoUid = Number(env.SUDO_UID);
  const sudoGid = Number(env.SUDO_GID);
  const target =
    Number.isInteger(sudoUid) && sudoUid > 0
      ? { uid: sudoUid, gid: Number.isInteger(sudoGid) && sudoGid > 0 ? sudoGid : sudoUid, why: 'sudo caller' }
      : { uid: NOBODY, gid: NOBODY, why: 'root without a sudo caller' };
  return {
    uid: target.uid,
    gid: target.gid,
    dropPrefix: ['setpriv', `--reuid=${target.uid}`, `--regid=${target.gid}`, '--clear-groups', '--'],
    describe: `uid ${target.uid} (${target.why})`,
  };
}
