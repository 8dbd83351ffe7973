import type { ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bwrapArgv, homesToHide, limitedKernelPrefix, tutorPaths, type BoundaryPlan } from '../confine.js';
import type { SandboxUser } from '../identity.js';
import { SHIMS } from '../shims.js';
import { SandboxError } from '../types.js';
import { guestFiles, kernelArgs, type BootPlan } from './bootPlan.js';
import { requireGuestAgent } from './guestAgent.js';
import { hostLibDirs } from './kernelLookup.js';

// Starting a UML guest: a private boot directory (init, fstabs, shims) readable by the sandbox
// user, then the kernel as that user inside its boundary (bwrap) in its own process group, with
// the agent's serial line on fds 3 (to the guest) and 4 (from it).
export async function prepareBootDir(o: { user: SandboxUser; memMiB: number }): Promise<BootPlan> {
  const bootDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ipip-tutor-uml-'));
  if (/\s/.test(bootDir)) {
    await fsp.rm(bootDir, { recursive: true, force: true });
    throw new SandboxError({ key: 'tmp_spaces', params: { path: bootDir } }, { key: 'fix_tmp_spaces' });
  }
  const umid = `ipip-tutor-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    // A copy in the boot directory, which the boundary always binds: the package itself may live
    // where the sandbox has a private tmpfs (a checkout or an npx cache under /tmp).
    const agentPath = path.join(bootDir, 'guest-agent');
    await fsp.copyFile(requireGuestAgent(), agentPath);
    await fsp.chmod(agentPath, 0o755);
    const plan: BootPlan = { bootDir, agentPath, memMiB: o.memMiB, umid };
    const files: Record<string, string> = {
      ...guestFiles(plan, await hostLibDirs()),
      ...Object.fromEntries(Object.entries(SHIMS).map(([name, text]) => [`shims/${name}`, text])),
    };
    await fsp.mkdir(path.join(bootDir, 'shims'), { mode: 0o755 });
    for (const [name, text] of Object.entries(files)) {
      const exec = name.startsWith('shims/');
      await fsp.writeFile(path.join(bootDir, name), text, { mode: exec ? 0o755 : 0o644 });
    }
    await fsp.mkdir(path.join(bootDir, 'uml'), { mode: 0o700 });
    if (o.user.dropPrefix.length > 0) {
      for (const p of ['', 'uml', 'shims', 'guest-agent', ...Object.keys(files)])
        await fsp.chown(path.join(bootDir, p), o.user.uid, o.user.gid);
    }
    return plan;
  } catch (e) {
    await fsp.rm(bootDir, { recursive: true, force: true });
    if (e instanceof SandboxError) throw e;
    throw new SandboxError({ key: 'boot_dir_failed', params: { detail: (e as Error).message } });
  }
}

/**
 * The kernel's boundary (confine.ts). The guest reaches the host's files only through hostfs,
 * that is through the kernel process's own system calls: under bwrap those see the host
 * read-only, whatever the guest remounts. Its writable places are a private /dev/shm (the
 * guest's memory file lives there, so it is sized to fit it), a small /tmp, and the kernel's
 * uml_dir; the boot directory is bound read-only.
 */
export function umlBoundary(plan: BootPlan, o: { hide: readonly string[]; expose: readonly string[] }): BoundaryPlan {
  return {
    unshare: ['pid', 'ipc', 'net', 'uts', 'cgroup'],
    tmpfs: [
      { path: '/dev/shm', bytes: (plan.memMiB + UML_SHM_SLACK_MIB) * MiB, mode: '1777' },
      { path: '/tmp', bytes: 16 * MiB, mode: '1777' },
    ],
    hide: o.hide,
    expose: o.expose,
    binds: [{ src: plan.bootDir, dest: plan.bootDir, readOnly: true }],
    overlays: [{ path: path.join(plan.bootDir, 'uml'), bytes: 1 * MiB, mode: '0700' }],
  };
}

const MiB = 1024 * 1024;
/** /dev/shm room beyond the guest's memory (UML's own mappings). */
const UML_SHM_SLACK_MIB = 32;

/**
 * Inside the boundary: the task limit and the OOM preference, then the kernel. (In the boundary's
 * user namespace the host's root-owned files show as owned by nobody, so every setuid-root binary
 * would be setuid-nobody to the guest and drop guest root's power: the agent, the guest's init,
 * sets no_new_privs, so setuid bits are ignored, as they are pointless where every command is root.)
 */
export function kernelCommand(kernel: string, plan: BootPlan): string[] {
  return [...limitedKernelPrefix(), kernel, ...kernelArgs(plan)];
}

/**
 * Starts the kernel and returns its process at once. (Not async: execa's process is also a
 * promise of its end, which an async function would wait for.) A kernel that cannot start at
 * all shows as an `error` event, as with any ChildProcess.
 */
export function spawnKernel(kernel: string, plan: BootPlan, user: SandboxUser): ChildProcess {
  const boundary = umlBoundary(plan, { hide: homesToHide(user), expose: [...tutorPaths(), kernel] });
  const argv = [...user.dropPrefix, ...bwrapArgv(boundary), ...kernelCommand(kernel, plan)];
  return execa(argv[0]!, argv.slice(1), {
    detached: true, // own process group: the reaper kills the kernel and every guest address-space process at once
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    cwd: plan.bootDir,
    cleanup: false, // the reaper and close() end it, as a process group
    reject: false,
    buffer: false,
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: plan.bootDir, // nothing may land in the real ~/.uml
      // No TMPDIR: UML then maps its memory from an unnamed (O_TMPFILE) file in /dev/shm.
      LANG: 'C.UTF-8',
    },
  }) as unknown as ChildProcess;
}
