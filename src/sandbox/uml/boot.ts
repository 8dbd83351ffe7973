import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SandboxUser } from '../identity.js';
import { SHIMS } from '../shims.js';
import { SandboxError } from '../types.js';
import { agentSource } from './agent.js';
import { guestFiles, kernelArgs, type BootPlan } from './bootPlan.js';
import { hostLibDirs, UML_INSTALL_FIX } from './kernelLookup.js';

// Starting a UML guest: a private boot directory (init, fstabs, agent) readable by the sandbox
// user, then the kernel as that user in its own process group, with the agent's serial line on
// fds 3 (to the guest) and 4 (from it).
export async function prepareBootDir(o: { user: SandboxUser; memMiB: number }): Promise<BootPlan> {
  const bootDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ipip-tutor-uml-'));
  if (/\s/.test(bootDir)) {
    await fsp.rm(bootDir, { recursive: true, force: true });
    throw new SandboxError(`The temporary directory ${bootDir} contains spaces.`, 'Set TMPDIR to a path without spaces.');
  }
  const umid = `ipip-tutor-${process.pid}-${randomBytes(3).toString('hex')}`;
  const plan: BootPlan = { bootDir, nodePath: process.execPath, memMiB: o.memMiB, umid };
  try {
    const files: Record<string, string> = { ...guestFiles(plan, await hostLibDirs()), 'agent.cjs': agentSource(SHIMS) };
    for (const [name, text] of Object.entries(files)) {
      await fsp.writeFile(path.join(bootDir, name), text, { mode: name === 'init.sh' ? 0o755 : 0o644 });
    }
    await fsp.mkdir(path.join(bootDir, 'uml'), { mode: 0o700 });
    if (o.user.dropPrefix.length > 0) {
      for (const p of ['', 'uml', ...Object.keys(files)]) await fsp.chown(path.join(bootDir, p), o.user.uid, o.user.gid);
    }
  } catch (e) {
    await fsp.rm(bootDir, { recursive: true, force: true });
    throw new SandboxError(`Could not prepare the UML boot directory: ${(e as Error).message}`);
  }
  return plan;
}

export async function spawnKernel(kernel: string, plan: BootPlan, user: SandboxUser): Promise<ChildProcess> {
  const argv = [...user.dropPrefix, kernel, ...kernelArgs(plan)];
  try {
    return spawn(argv[0]!, argv.slice(1), {
      detached: true, // own process group: the reaper kills the kernel and every guest address-space process at once
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      cwd: plan.bootDir,
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        HOME: plan.bootDir, // nothing may land in the real ~/.uml
        // No TMPDIR: UML then maps its memory from an unnamed (O_TMPFILE) file in /dev/shm.
        LANG: 'C.UTF-8',
      },
    });
  } catch (e) {
    await fsp.rm(plan.bootDir, { recursive: true, force: true });
    throw new SandboxError(`Could not start ${kernel}: ${(e as Error).message}`, UML_INSTALL_FIX);
  }
}
