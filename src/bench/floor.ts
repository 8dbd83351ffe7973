import { findExecutable } from '../sandbox/probe.js';
import { hostLibDirs } from '../sandbox/uml/kernelLookup.js';
import { guestAgentPath } from '../sandbox/uml/guestAgent.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Course } from '../course/load.js';
import { flatSteps, type StepPos } from '../course/progress.js';
import { resolveSandboxUser } from '../sandbox/identity.js';
import { DEFAULT_UML_MEM_MIB, guestFiles, kernelArgs } from '../sandbox/uml/bootPlan.js';
import { runMeasured, type SpawnResult } from './procs.js';

// The floor: the same commands the tutor runs for a range of steps, with none of the tutor
// around them. Always inside a sandbox of its own (a user+net+mount namespace, or a UML guest)
// and as the same unprivileged uid the tutor would use: never on the machine's own network.

/** Every setup and solution line of the steps from..to (inclusive), `sudo` stripped, in course order. */
export function courseCommands(course: Course, to?: StepPos, from?: StepPos): string[] {
  const le = (a: StepPos, b: StepPos) => a.lesson < b.lesson || (a.lesson === b.lesson && a.step <= b.step);
  return flatSteps(course)
    .filter((s) => (!from || le(from, s.pos)) && (!to || le(s.pos, to)))
    .flatMap((s) => {
      const step = course.lessons[s.pos.lesson]!.def.steps[s.pos.step]!;
      return [...step.setup, ...step.solution];
    })
    .map((c) => c.replace(/^sudo\s+/, ''));
}

/** A bash script running each line, counting failures, printing the count last. */
export function floorScript(commands: readonly string[]): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    'fails=0',
    ...commands.map((c) => `bash -c ${q(c)} >/dev/null 2>&1 </dev/null || { fails=$((fails+1)); echo "floor: failed: "${q(c)} >&2; }`),
    'echo "IPIP-BENCH-END fails=$fails"',
  ].join('\n');
}

/** The host floor: `unshare -Urnm` with a private /run and /run/netns, the commands as a plain script. */
export function hostFloor(commands: readonly string[]): Promise<SpawnResult & { fails: number | null }> {
  const user = resolveSandboxUser();
  const script = [
    'mount -t tmpfs -o mode=755 tmpfs /run',
    'mkdir -p /run/netns',
    'mount -t tmpfs -o mode=1777 tmpfs /tmp',
    'ip link set lo up',
    floorScript(commands),
  ].join('\n');
  const argv = [...user.dropPrefix, 'unshare', '-Urnm', '--propagation', 'private', 'bash', '-c', script];
  return runMeasured(argv, {
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
    cwd: '/',
  }).then((r) => ({
    ...r,
    fails: parseFails(r.stdout),
  }));
}

function parseFails(out: string): number | null {
  const m = /IPIP-BENCH-END fails=(\d+)/.exec(out);
  return m ? Number(m[1]) : null;
}

/**
 * The UML floor: the same kernel, the same boot plan (bootPlan.ts: kernel arguments, fstabs and
 * the init's mounts and module loading), but where the tutor's init starts its agent, this
 * one runs the commands as a plain script and powers off.
 */
export async function umlFloor(commands: readonly string[], memMiB = DEFAULT_UML_MEM_MIB): Promise<SpawnResult & { fails: number | null }> {
  const kernel = (await findExecutable(process.env.IPIP_TUTOR_UML_KERNEL ?? 'linux.uml')) ?? 'linux.uml';
  const user = resolveSandboxUser();
  const bootDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ipip-tutor-bench-'));
  try {
    const plan = {
      bootDir,
      agentPath: guestAgentPath(),
      memMiB,
      umid: `ipip-tutor-bench-${process.pid}-${randomBytes(3).toString('hex')}`,
    };
    const files = guestFiles(plan, await hostLibDirs());
    const agentLine = /^exec .*guest-agent.*$/m;
    if (!agentLine.test(files['init.sh']))
      throw new Error('bootPlan init.sh no longer ends by starting the agent; update src/bench/floor.ts');
    const tail = [
      // what the agent does before it is ready: make the modules visible to modprobe
      '[ -e /usr/lib/modules ] || ln -s uml/modules /usr/lib/modules 2>/dev/null',
      'ip link set lo up',
      'mkdir -p /run/netns',
      'bash /run/ipip-tutor/boot/floor.sh',
      // power off: systemctl's forced path calls reboot(2) itself; perl is the fallback
      "systemctl poweroff -ff 2>/dev/null || perl -e 'syscall(169, 0xfee1dead, 672274793, 0x4321fedc)'",
    ].join('\n');
    const init = files['init.sh'].replace(agentLine, tail);
    const all: Record<string, string> = {
      'init.sh': init,
      'fstab.early': files['fstab.early'],
      'fstab.late': files['fstab.late'],
      'floor.sh': floorScript(commands),
    };
    for (const [n, t] of Object.entries(all)) await fsp.writeFile(path.join(bootDir, n), t, { mode: n === 'init.sh' ? 0o755 : 0o644 });
    await fsp.mkdir(path.join(bootDir, 'uml'), { mode: 0o700 });
    await fsp.mkdir(path.join(bootDir, 'shims'), { mode: 0o755 }); // the fstab binds it (empty here)
    if (user.dropPrefix.length)
      for (const p of ['', 'uml', 'shims', ...Object.keys(all)]) await fsp.chown(path.join(bootDir, p), user.uid, user.gid);
    const argv = [...user.dropPrefix, kernel, ...kernelArgs(plan)];
    const r = await runWithChannel(argv, bootDir);
    return { ...r, fails: parseFails(r.stdout) };
  } finally {
    await fsp.rm(bootDir, { recursive: true, force: true });
  }
}

/** kernelArgs() binds the agent's serial line to fds 3 and 4: give the kernel those fds (unused here). */
function runWithChannel(argv: string[], cwd: string): Promise<SpawnResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: cwd, TMPDIR: '/dev/shm', LANG: 'C.UTF-8' },
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    let hwm = 0;
    const poll = setInterval(() => {
      try {
        const m = /^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid!}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch {
        /* gone */
      }
    }, 50);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 300_000);
    child.on('exit', (code, signal) => {
      const wallMs = performance.now() - t0;
      clearTimeout(timer);
      clearInterval(poll);
      // guest address-space processes share the kernel's process group
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* none left */
      }
      for (const s of [child.stdout, child.stderr, child.stdio[3], child.stdio[4]]) (s as { destroy?: () => void } | null)?.destroy?.();
      resolve({ wallMs, code, signal, stdout: out, stderr: '', peakRssKiB: hwm || null, timedOut });
    });
  });
}
