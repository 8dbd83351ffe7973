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
  const r = await bootFloor({
    memMiB,
    tail: ['mkdir -p /run/netns', 'bash /run/ipip-tutor/boot/floor.sh'],
    extra: { 'floor.sh': floorScript(commands) },
  });
  return { ...r, fails: parseFails(r.stdout) };
}

const BARE_MARK = 'IPIP-BENCH-INIT';

/** A bare boot: spawn of the kernel until its init runs at all (an init that only says so). */
export async function umlBareBoot(memMiB = DEFAULT_UML_MEM_MIB): Promise<number | null> {
  const r = await bootFloor({ memMiB, bare: true, until: BARE_MARK });
  return r.stdout.includes(BARE_MARK) ? r.wallMs : null;
}

/** Per-process costs inside the guest, after the course's boot: what one command and one check cost at least. */
export interface GuestFloors {
  /** sh forking /bin/true */
  execMs: number | null;
  /** one `ip -j link show` */
  ipMs: number | null;
}

export async function umlGuestFloors(n: number, memMiB = DEFAULT_UML_MEM_MIB): Promise<GuestFloors> {
  // Timed with /proc/uptime (a shell read, no process of its own): 10 ms resolution over n runs.
  const loop = (name: string, cmd: string) =>
    `read t0 _ </proc/uptime; i=0; while [ $i -lt ${n} ]; do ${cmd}; i=$((i+1)); done; read t1 _ </proc/uptime; echo "IPIP-BENCH-${name} $t0 $t1"`;
  const r = await bootFloor({ memMiB, tail: [loop('EXEC', '/bin/true'), loop('IP', 'ip -j link show >/dev/null')] });
  const per = (name: string) => {
    const m = new RegExp(`IPIP-BENCH-${name} ([\\d.]+) ([\\d.]+)`).exec(r.stdout);
    return m ? ((Number(m[2]) - Number(m[1])) * 1000) / n : null;
  };
  return { execMs: per('EXEC'), ipMs: per('IP') };
}

async function bootFloor(o: {
  memMiB: number;
  /** the script run after the boot (instead of the agent's loop) */
  tail?: string[];
  /** an init that only prints BARE_MARK (no mounts, no modules) */
  bare?: boolean;
  extra?: Record<string, string>;
  /** stop the kernel as soon as its console prints this */
  until?: string;
}): Promise<SpawnResult> {
  const kernel = (await findExecutable(process.env.IPIP_TUTOR_UML_KERNEL ?? 'linux.uml')) ?? 'linux.uml';
  const user = resolveSandboxUser();
  const bootDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ipip-tutor-bench-'));
  try {
    const plan = {
      bootDir,
      agentPath: guestAgentPath(),
      memMiB: o.memMiB,
      umid: `ipip-tutor-bench-${process.pid}-${randomBytes(3).toString('hex')}`,
    };
    // The same boot as the tutor's (the agent as init, its boot plan), then a plain script instead
    // of the agent's loop; a bare boot has an init that only says it runs.
    const script = [...(o.tail ?? []), ''].join('\n');
    const all: Record<string, string> = o.bare
      ? { 'init.sh': `#!/bin/sh\necho ${BARE_MARK}\nexec sleep 60\n` }
      : { ...guestFiles(plan, await hostLibDirs()), 'then.sh': script, ...o.extra };
    for (const [n, t] of Object.entries(all)) await fsp.writeFile(path.join(bootDir, n), t, { mode: n === 'init.sh' ? 0o755 : 0o644 });
    const args = kernelArgs(plan).map((a) => (o.bare && a.startsWith('init=') ? `init=${path.join(bootDir, 'init.sh')}` : a));
    if (!o.bare) args.push('ipip_tutor_then=/run/ipip-tutor/boot/then.sh'); // (the host's /tmp is hidden by then)
    await fsp.mkdir(path.join(bootDir, 'uml'), { mode: 0o700 });
    await fsp.mkdir(path.join(bootDir, 'shims'), { mode: 0o755 }); // the fstab binds it (empty here)
    if (user.dropPrefix.length)
      for (const p of ['', 'uml', 'shims', ...Object.keys(all)]) await fsp.chown(path.join(bootDir, p), user.uid, user.gid);
    const argv = [...user.dropPrefix, kernel, ...args];
    return await runWithChannel(argv, bootDir, o.until);
  } finally {
    await fsp.rm(bootDir, { recursive: true, force: true });
  }
}

/** kernelArgs() binds the agent's serial line to fds 3 and 4: give the kernel those fds (unused here). */
function runWithChannel(argv: string[], cwd: string, until?: string): Promise<SpawnResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: cwd, TMPDIR: '/dev/shm', LANG: 'C.UTF-8' },
    });
    let out = '';
    let untilMs: number | null = null;
    const take = (d: string) => {
      out += d;
      if (until && untilMs === null && out.includes(until)) {
        untilMs = performance.now() - t0;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    };
    child.stdout!.setEncoding('utf8').on('data', take);
    child.stderr!.setEncoding('utf8').on('data', take);
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
      const wallMs = untilMs ?? performance.now() - t0;
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
