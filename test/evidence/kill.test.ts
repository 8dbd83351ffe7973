import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkState } from '../../src/checks/checkState.js';
import { loadCourse } from '../../src/course/load.js';
import { flatSteps } from '../../src/course/progress.js';
import { fileProgressStore } from '../../src/course/progressStore.js';
import { Controller } from '../../src/engine/controller.js';
import { createHostSandbox } from '../../src/sandbox/host/hostSandbox.js';
import { hostShims } from '../../src/sandbox/hostShims.js';
import {
  captureFootprint,
  captureHostNet,
  describeProcs,
  diffHostNet,
  newFiles,
  ProcessTracker,
  type HostNetState,
  type ProcInfo,
} from '../helpers/hostState.js';
import { listTmp, REPO, requireBuilt, requireUml, runTutor, spawnTutor, waitExit, type TutorRun } from '../helpers/tutor.js';

// README: "The sandbox never changes the machine's own network; it vanishes when the tutor exits."
// Here the tutor is killed at many points with the three signals a learner (or the system)
// sends, and every time the host must be exactly as before: network, processes, temp files.
//
// How each signal is delivered:
//   SIGINT  -> the tutor's whole process group, as a terminal's Ctrl-C does (the tutor runs as its own job)
//   SIGTERM -> the tutor's pid only (`kill PID`, a closing terminal multiplexer, systemd)
//   SIGKILL -> the tutor's pid only (nothing in the tutor runs; only the sandbox's own dead-man switches can clean up)

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;
type Sig = (typeof SIGNALS)[number];

interface KillPoint {
  name: string;
  args: string[];
  /** resolves when the tutor is at the point to kill it */
  reach: (run: TutorRun) => Promise<void>;
  /** lines of the commands file that replaces `@CMDS` in args */
  commands?: string[];
  /** a process the tracker must have seen by then: proves the kill hit a live sandbox, not an empty one */
  sandboxProcess?: (p: ProcInfo) => boolean;
}

/** the host sandbox's holder: unshare (and its bash) running the setup script that ends with IPIP_TUTOR_READY */
const HOLDER = (p: ProcInfo) => p.cmdline.includes('IPIP_TUTOR_READY');
const KERNEL = (p: ProcInfo) => p.cmdline.includes('umid=ipip-tutor-');
/** signal -> tutor exit latency per kill, printed at the end (the report quotes it) */
const latencies: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PLAY = (backend: string, ...more: string[]) => ['play', '--auto', '--backend', backend, ...more];

/**
 * The shipped course with a `sleep 30` added to the solution of namespaces/add-ns (state is the
 * same): a fast-forward that replays it is reliably still under way when the kill comes. The
 * real fast-forward is one short round trip per step, often over before a poll can see it.
 */
const SLOW_FF_COURSE = (() => {
  const dir = join(mkdtempSync(join(tmpdir(), 'evidence-slow-ff-')), 'lessons');
  cpSync(join(REPO, 'lessons'), dir, { recursive: true });
  const file = join(dir, '02-namespaces', 'lesson.yaml');
  const yaml = readFileSync(file, 'utf8');
  const slowed = yaml.replace('      - sudo ip netns add ns2\n', '      - sudo ip netns add ns2\n      - sleep 30\n');
  if (slowed === yaml) throw new Error(`${file}: the add-ns solution changed; update SLOW_FF_COURSE`);
  writeFileSync(file, slowed);
  return dir;
})();

/** `@CMDS` in args is replaced by a file holding `commands` (play --commands: what a learner typed). */
const CMDS = '@CMDS';
const TYPED = (backend: string, from: string) => ['play', '--commands', CMDS, '--echo', '--backend', backend, '--from', from];

const HOST_POINTS: KillPoint[] = [
  { name: 'right after spawn (before Node has loaded)', args: PLAY('host'), reach: async () => {} },
  {
    name: 'during sandbox creation (holder unshare running, not ready)',
    args: PLAY('host'),
    reach: async (run) => {
      // the holder's setup script (not the backend probe's short-lived `unshare -Urn ip tunnel add`)
      await run.waitProcess(HOLDER, 20_000);
    },
    sandboxProcess: HOLDER,
  },
  {
    name: 'during fast-forward (--from underlay-ping replays earlier solutions)',
    args: PLAY('host', '--lessons', SLOW_FF_COURSE, '--from', 'underlay-ping'),
    reach: async (run) => {
      // no step line yet, and the replay of add-ns (its `sleep 30`) is running in the sandbox
      await run.waitProcess((p) => run.lines.length === 0 && p.comm === 'sleep' && p.cmdline.includes('sleep 30'), 20_000);
    },
    sandboxProcess: HOLDER,
  },
  {
    name: 'mid-command (a typed `ping 127.0.0.1` without -c running)',
    args: TYPED('host', 'namespaces/add-ns'),
    commands: ['ping 127.0.0.1'],
    reach: async (run) => {
      await run.waitProcess((p) => p.comm === 'ping' && p.cmdline.includes('127.0.0.1'), 30_000);
      await sleep(300);
    },
    sandboxProcess: HOLDER,
  },
  {
    name: 'during checks (batched state query of a step running)',
    args: PLAY('host'),
    reach: async (run) => {
      await run.waitLine((l) => l.includes('namespaces/add-ns'), 30_000);
      // the engine's batch script carries a unique boundary "@@ipip-tutor-<hex>"
      await run.waitProcess((p) => p.cmdline.includes('@@ipip-tutor-') && p.comm !== 'nsenter', 30_000);
    },
    sandboxProcess: HOLDER,
  },
  {
    name: 'mid-course, right after the 12th step line (solutions and checks of the next step under way)',
    args: PLAY('host'),
    reach: async (run) => {
      await run.waitLine((_, i) => i >= 11, 30_000);
    },
    sandboxProcess: HOLDER,
  },
];

const UML_POINTS: KillPoint[] = [
  {
    name: 'during UML kernel boot (linux.uml running ~0.4 s, guest not ready)',
    args: PLAY('uml'),
    reach: async (run) => {
      await run.waitProcess((p) => p.cmdline.includes('umid=ipip-tutor-'), 30_000);
      await sleep(400);
    },
    sandboxProcess: KERNEL,
  },
  {
    name: 'mid-command (a typed `sleep 30` running in the guest)',
    args: TYPED('uml', 'namespaces/add-ns'),
    commands: ['sleep 30'],
    reach: async (run) => {
      await run.waitLine((l) => l === '$ sleep 30', 60_000);
      await sleep(500);
    },
    sandboxProcess: KERNEL,
  },
  {
    name: 'during checks (next step entered: its checks are being gathered)',
    args: PLAY('uml'),
    reach: async (run) => {
      await run.waitLine((l) => l.includes('veth/look'), 60_000);
    },
    sandboxProcess: KERNEL,
  },
];

/** A leftover belongs to this run when its name or contents carry the run's pid marker. */
function ours(path: string, pid: number): boolean {
  const marker = `ipip-tutor-${pid}-`;
  if (path.includes(marker)) return true;
  try {
    const walk = (d: string, depth: number): boolean =>
      readdirSync(d, { withFileTypes: true }).some(
        (e) => e.name.includes(marker) || (depth > 0 && e.isDirectory() && walk(join(d, e.name), depth - 1)),
      );
    return walk(path, 2);
  } catch {
    return false;
  }
}

async function killAndCheck(point: KillPoint, sig: Sig): Promise<void> {
  const netBefore = captureHostNet();
  const fpBefore = captureFootprint();
  let cmdsDir: string | null = null;
  let args = point.args;
  if (point.commands) {
    cmdsDir = mkdtempSync(join(tmpdir(), 'evidence-cmds-'));
    const file = join(cmdsDir, 'typed.txt');
    writeFileSync(file, point.commands.join('\n') + '\n');
    args = args.map((a) => (a === CMDS ? file : a));
  }
  const run = spawnTutor(args, { group: true });
  let cleanupLeft: ProcessTracker | null = run.tracker;
  try {
    await point.reach(run);
    run.tracker.sample(); // everything alive at the moment of the kill is now known
    expect(
      run.exit,
      `the tutor ended before the kill point "${point.name}"; stdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`,
    ).toBeNull();
    if (point.sandboxProcess)
      expect([...run.tracker.seen.values()].some(point.sandboxProcess), `no sandbox process seen at "${point.name}"`).toBe(true);
    const killedAt = performance.now();
    process.kill(sig === 'SIGINT' ? -run.pid : run.pid, sig);

    // Then: the tutor itself ends promptly (INT/TERM handled, not ignored)
    const { exit, hung } = await waitExit(run, 20_000);
    latencies.push(
      `${sig.padEnd(7)} ${point.args.includes('uml') ? 'uml ' : 'host'} ${String(Math.round(performance.now() - killedAt)).padStart(6)} ms  exit ${JSON.stringify(exit)}  ${point.name}`,
    );
    expect(hung, `tutor still running 20 s after ${sig}; stdout:\n${run.stdout()}`).toBe(false);
    if (sig === 'SIGKILL') expect(exit.signal).toBe('SIGKILL');
    // a handled signal ends with the status a shell gives a command it stopped (128 + signal)
    else if (exit.code !== null) expect(exit.code).toBe(sig === 'SIGINT' ? 130 : 143);
    else expect(exit.signal).toBe(sig); // killed before the handlers were in place
    // no stack trace or "internal error" on the way out
    expect(run.stderr()).not.toMatch(/internal error|\n\s+at .+\(.+:\d+:\d+\)/);

    // and nothing it started survives it
    const left = await run.tracker.waitGone(5_000);
    expect(
      left,
      `processes left ${sig === 'SIGKILL' ? '' : 'after a graceful '}${sig} at "${point.name}":\n${describeProcs(left)}`,
    ).toEqual([]);
    cleanupLeft = null;

    // and the host's network is exactly as before
    expect(diffHostNet(netBefore, captureHostNet())).toEqual([]);

    // and no temporary file remains: not in its own TMPDIR, not in /tmp, /dev/shm, ~/.uml
    const waitFiles = async () => {
      const until = Date.now() + 5_000;
      let tmpLeft = listTmp(run);
      let shared = newFiles(fpBefore, captureFootprint(), (p) => !ours(p, run.pid) && !p.includes('vm_file'));
      while ((tmpLeft.length || shared.length) && Date.now() < until) {
        await sleep(100);
        tmpLeft = listTmp(run);
        shared = newFiles(fpBefore, captureFootprint(), (p) => !ours(p, run.pid) && !p.includes('vm_file'));
      }
      return { tmpLeft, shared };
    };
    const { tmpLeft, shared } = await waitFiles();
    expect(tmpLeft, `left in the tutor's TMPDIR ${run.tmp}`).toEqual([]);
    expect(shared, 'left in shared temp places').toEqual([]);
  } finally {
    if (run.exit === null) {
      try {
        process.kill(run.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await run.exited;
    }
    // A failed assertion must not leave this run's processes running into the next test.
    if (cleanupLeft)
      for (const p of cleanupLeft.alive()) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    run.dispose();
    if (cmdsDir) rmSync(cmdsDir, { recursive: true, force: true });
  }
}

let globalNet: HostNetState;

beforeAll(() => {
  requireBuilt();
  globalNet = captureHostNet();
});

afterAll(() => {
  rmSync(join(SLOW_FF_COURSE, '..'), { recursive: true, force: true });
  console.log(`signal -> tutor exit:\n${latencies.join('\n')}`);
  // The whole file, all kills and restarts together, left the host network as it found it.
  // (Temp files are checked per run, attributed to that run: other test files run alongside this one.)
  expect(diffHostNet(globalNet, captureHostNet())).toEqual([]);
});

describe('killing the tutor on the host backend leaves the host as before', () => {
  for (const point of HOST_POINTS)
    for (const sig of SIGNALS)
      it(`${sig} ${point.name}`, async () => {
        await killAndCheck(point, sig);
      }, 60_000);
});

describe('killing the tutor on the uml backend leaves the host as before', () => {
  beforeAll(() => {
    requireUml();
  });
  for (const point of UML_POINTS)
    for (const sig of SIGNALS)
      it(`${sig} ${point.name}`, async () => {
        await killAndCheck(point, sig);
      }, 90_000);
});

describe('after a crash the next start works', () => {
  it('host: play --auto --to namespaces runs to completion', async () => {
    const r = await runTutor(PLAY('host', '--to', 'namespaces'), { timeoutMs: 60_000 });
    expect(r.hung).toBe(false);
    expect(r.exit.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/✓ namespaces\/add-ns/);
    expect(await r.run.tracker.waitGone(5_000)).toEqual([]);
    r.run.dispose();
  }, 60_000);

  it('uml: play --auto --to namespaces runs to completion', async () => {
    requireUml();
    const r = await runTutor(PLAY('uml', '--to', 'namespaces'), { timeoutMs: 90_000 });
    expect(r.hung).toBe(false);
    expect(r.exit.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/✓ namespaces\/add-ns/);
    expect(await r.run.tracker.waitGone(5_000)).toEqual([]);
    expect(listTmp(r.run)).toEqual([]);
    r.run.dispose();
  }, 90_000);

  it('an interactive session SIGKILLed mid-course resumes at its step, with earlier steps rebuilt', async () => {
    // Given: a learner's session (the real engine, a file progress store) that got to
    // addresses/ns-side and was then killed -9 without closing anything
    const courseDir = join(REPO, 'lessons');
    const stateDir = mkdtempSync(join(tmpdir(), 'evidence-state-'));
    const until = 'addresses/ns-side';
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/helpers/resumeChild.ts'), courseDir, stateDir, until], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tracker = new ProcessTracker(child.pid!).start();
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    try {
      await new Promise<void>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`child did not reach ${until}; stdout:\n${out}\nstderr:\n${err}`)), 45_000);
        child.stdout!.on('data', (d) => {
          out += d;
          if (out.includes(`AT ${until}`)) {
            clearTimeout(t);
            res();
          }
          if (/FAILED|END/.test(out)) {
            clearTimeout(t);
            rej(new Error(`child failed:\n${out}\n${err}`));
          }
        });
        child.on('exit', () => rej(new Error(`child exited early:\n${out}\n${err}`)));
      });
      tracker.sample();
      child.kill('SIGKILL');
      await exited;
      expect(describeProcs(await tracker.waitGone(5_000))).toBe('');

      // Then: the progress file survived the crash as valid JSON, pointing at the step
      const files = readdirSync(stateDir);
      expect(files.filter((f) => !/^progress-[\w-]+\.json$/.test(f))).toEqual([]); // no temporary file, no lock left
      const saved = JSON.parse(
        readFileSync(
          join(
            stateDir,
            files.find((f) => f.startsWith('progress-'))!,
          ),
          'utf8',
        ),
      );
      expect(saved.current).toEqual({ lesson: 'addresses', step: 'ns-side' });

      // When: a new session starts with the same store
      const course = loadCourse(courseDir);
      const session = new Controller({
        course,
        makeSandbox: () => createHostSandbox({ shims: hostShims() }),
        store: fileProgressStore(course, stateDir),
        lang: 'en',
      });
      expect(session.current.key).toBe(until);
      const ff: string[] = [];
      await session.start((p) => p.command && ff.push(p.command));
      try {
        // Then: it lands on the saved step, after replaying the earlier solutions
        expect(session.current.key).toBe(until);
        expect(ff).toContain('sudo ip netns add ns1');
        expect(ff).toContain('sudo ip addr add 10.10.10.1/24 dev v1-P');
        // and every earlier task step's checks pass in the rebuilt sandbox
        const flat = flatSteps(course);
        const idx = flat.findIndex((s) => s.key === until);
        let checked = 0;
        for (const s of flat.slice(0, idx)) {
          const v = session.stepView(s.pos);
          const state = v.step.checks.filter((c) => c.type !== 'answer');
          if (state.length === 0) continue;
          // forwarding/read-forward-like steps that assert an initial state do not come before this step
          const res = (
            await checkState(
              session.box!,
              v.step.checks.filter((c) => c.type !== 'answer'),
            )
          ).results;
          expect(res.filter((r) => !r.ok).map((r) => `${s.key}: ${r.key}`)).toEqual([]);
          checked++;
        }
        expect(checked).toBeGreaterThanOrEqual(3); // add-ns, create-veth, root-side
        // and the current step is not done yet: the learner continues exactly there
        expect((await session.check()).some((c) => !c.ok)).toBe(true);
      } finally {
        await session.close();
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const p of tracker.alive()) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      tracker.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 90_000);
});
