#!/usr/bin/env node
// `npm run bench`: the tutor's speed and memory against the README's targets, and against the
// floor (the same commands with no tutor around them). One run prints the table; with --json
// the same figures go to stdout as JSON and the table to stderr. --quick (CI) repeats less.
// Lesson commands only ever run inside sandboxes: the tutor's own, or the floor's (floor.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultCourseDir } from '../course/courseDir.js';
import { loadCourse, type Course } from '../course/load.js';
import { flatSteps, type StepPos } from '../course/progress.js';
import { memoryProgressStore } from '../course/progressStore.js';
import { Controller } from '../engine/controller.js';
import { lessonTitle } from '../course/texts.js';
import { createHostSandbox } from '../sandbox/host/hostSandbox.js';
import { hostShims } from '../sandbox/hostShims.js';
import type { Sandbox } from '../sandbox/types.js';
import { DEFAULT_UML_MEM_MIB } from '../sandbox/uml/bootPlan.js';
import { courseCommands, hostFloor, umlBareBoot, umlFloor, umlGuestFloors } from './floor.js';
import { benchClassroom } from './classroom.js';
import { benchLabClass, labBackend, type LabClassFigures } from './lab.js';
import { benchNpmStart } from './npmStart.js';
import { runMeasured, timeToText, vmHwmKiB } from './procs.js';
import { fmtMs, median, percentile, timed } from './stats.js';

type Unit = 'ms' | 'MiB' | 'x' | '%' | '/s' | 'n';
interface Row {
  backend: 'host' | 'uml' | 'tutor' | 'classroom' | 'lab';
  figure: string;
  value: number | null;
  unit: Unit;
  /** value must be <= this to meet the README's target */
  target?: number;
  ok?: boolean;
  detail?: string;
}

const HELP = `usage: npm run bench [-- --quick] [-- --json] [-- --only host|uml|classroom|lab]
  --quick   fewer repetitions, the UML course only up to underlay-ping, 50 classroom learners (CI)
  --json    figures as JSON on stdout (the table goes to stderr)
  --only    one section: a backend, the classroom server under load, or the browser lab's capacity
            (--quick: a class of 5 attendees; else 5, 10, 20 and 40)`;

let args;
try {
  args = parseArgs({
    args: process.argv.slice(2),
    options: { quick: { type: 'boolean' }, json: { type: 'boolean' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }).values;
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n${HELP}\n`);
  process.exit(64);
}
if (args.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const { quick = false, json = false, only } = args;
if (only !== undefined && only !== 'host' && only !== 'uml' && only !== 'classroom' && only !== 'lab') {
  process.stderr.write(`bench: unexpected --only ${only}\n${HELP}\n`);
  process.exit(64);
}
// Figures are for an ordinary machine, which does not set NODE_EXTRA_CA_CERTS (Node parses
// that bundle at every start): the processes measured here run without it, and one row says
// what it costs where it is set.
const caCerts = process.env.NODE_EXTRA_CA_CERTS;
delete process.env.NODE_EXTRA_CA_CERTS;

// The command a learner runs.
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const rows: Row[] = [];
// The tutor's course cache for every run the bench starts: its own, so the user's is untouched
// and the bench knows when it is cold (see the first-frame figures).
const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'ipip-bench-cache-'));
const problems: string[] = [];
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const reps = (full: number, q: number) => (quick ? q : full);

function row(r: Row): void {
  if (r.target !== undefined && r.value !== null) r.ok = r.value <= r.target;
  rows.push(r);
}

/** Steps in order up to `to` that have state checks (what "checks per step" means here). */
function taskSteps(course: Course, to: StepPos): StepPos[] {
  return flatSteps(course)
    .filter((s) => s.pos.lesson < to.lesson || (s.pos.lesson === to.lesson && s.pos.step <= to.step))
    .filter((s) => course.lessons[s.pos.lesson]!.def.steps[s.pos.step]!.checks.some((c) => c.type !== 'answer'))
    .map((s) => s.pos);
}

function lastStepOf(course: Course, lessonId: string): StepPos {
  const steps = flatSteps(course).filter((s) => s.lessonId === lessonId);
  if (!steps.length) throw new Error(`the course has no lesson ${lessonId}`);
  return steps[steps.length - 1]!.pos;
}

/** Solve each task step in order and time `evaluate()` at its end state; returns per-step medians. */
async function checksPerStep(
  course: Course,
  make: () => Promise<Sandbox>,
  to: StepPos,
  n: number,
  beforeClose?: () => void,
): Promise<{ ms: number; ping: boolean }[]> {
  const session = new Controller({ course, makeSandbox: make, store: memoryProgressStore(), lang: 'en', unlockAll: true });
  const targets = new Set(taskSteps(course, to).map((p) => `${p.lesson}/${p.step}`));
  const per: { ms: number; ping: boolean }[] = [];
  try {
    await session.start();
    for (;;) {
      const p = session.pos;
      await session.solve();
      if (targets.has(`${p.lesson}/${p.step}`)) {
        if (!session.stepPassed) problems.push(`checks: ${session.current.key} did not pass after its solution`);
        const t: number[] = [];
        for (let i = 0; i < n; i++) t.push((await timed(() => session.check())).ms);
        per.push({ ms: median(t), ping: course.lessons[p.lesson]!.def.steps[p.step]!.checks.some((c) => c.type === 'ping') });
      }
      if ((p.lesson === to.lesson && p.step === to.step) || !(await session.next())) break;
    }
  } finally {
    beforeClose?.();
    await session.close();
  }
  return per;
}

async function commandRoundTrips(sb: Sandbox, n: number, line = 'true'): Promise<number[]> {
  for (let i = 0; i < 3; i++) await sb.run(line); // warm up
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await timed(() => sb.run(line));
    if (r.value.exitCode !== 0) problems.push(`run('${line}') exited ${r.value.exitCode}: ${r.value.stderr.trim()}`);
    t.push(r.ms);
  }
  return t;
}

async function playVsFloor(
  backend: 'host' | 'uml',
  course: Course,
  to: string | undefined,
  n: number,
  floor: (cmds: string[]) => ReturnType<typeof hostFloor>,
) {
  const args = [CLI, 'play', '--auto', '--backend', backend, ...(to ? ['--to', to] : [])];
  const stateHome = mkdtempSync(path.join(os.tmpdir(), 'ipip-bench-state-'));
  const env = { ...process.env, XDG_STATE_HOME: stateHome, XDG_CACHE_HOME: cacheHome, NO_COLOR: '1' };
  const walls: number[] = [];
  const floors: number[] = [];
  let peak: number | null = null;
  let floorPeak: number | null = null;
  let floorFails = 0;
  const cmds = courseCommands(course, to ? lastStepOf(course, to) : undefined);
  await runMeasured([CLI, 'lessons'], { env }); // untimed: the runs below start with the course cached
  try {
    for (let i = 0; i < n; i++) {
      const r = await runMeasured(args, { env, timeoutMs: 600_000 });
      if (r.code !== 0)
        problems.push(
          `play --auto --backend ${backend}${to ? ` --to ${to}` : ''} exited ${r.code}: ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ')}`,
        );
      walls.push(r.wallMs);
      if (r.peakRssKiB) peak = Math.max(peak ?? 0, r.peakRssKiB);
      const f = await floor(cmds);
      // Some lesson commands are meant to fail (the too-big ping of the mtu lesson): a count, not a problem.
      if (f.fails === null)
        problems.push(`${backend} floor did not finish its script: ${f.stdout.trim().split('\n').slice(-3).join(' | ')}`);
      else floorFails = f.fails;
      floors.push(f.wallMs);
      if (f.peakRssKiB) floorPeak = Math.max(floorPeak ?? 0, f.peakRssKiB);
    }
  } finally {
    rmSync(stateHome, { recursive: true, force: true });
  }
  return { wall: median(walls), floor: median(floors), peak, floorPeak, commands: cmds.length, floorFails };
}

async function benchHost(course: Course): Promise<void> {
  const make = () => createHostSandbox({ shims: hostShims() });
  const title = lessonTitle(course.lessons[0]!, 'en');

  // The first start after an install or a build has no course cache yet: it checks the build's
  // seed against the lesson files' contents and writes the cache; later starts only stat the
  // files. Both are timed, with a cache directory of the bench's own.
  log('host: time to the first lesson frame (pty via script)');
  const stateHome = mkdtempSync(path.join(os.tmpdir(), 'ipip-bench-state-'));
  try {
    const frame = async () => {
      const r = await timeToText(`${CLI} --backend host`, title, {
        env: { ...process.env, XDG_STATE_HOME: stateHome, XDG_CACHE_HOME: cacheHome, LANG: 'C.UTF-8', LC_ALL: '', TERM: 'xterm-256color' },
        timeoutMs: 30_000,
      });
      if (r.ms === null) problems.push(`host first frame: "${title}" never appeared; last output: ${r.output.slice(-300)}`);
      return r.ms;
    };
    const cold = await frame();
    const frames: number[] = [];
    for (let i = 0; i < reps(5, 3); i++) {
      const ms = await frame();
      if (ms !== null) frames.push(ms);
    }
    row({
      backend: 'host',
      figure: 'first lesson frame (spawn -> title on a pty), course cached',
      value: frames.length ? median(frames) : null,
      unit: 'ms',
      target: 400,
      detail: `median of ${frames.length}`,
    });
    row({ backend: 'host', figure: 'the same at the first start (no cache yet: seed checked by content)', value: cold, unit: 'ms' });
  } finally {
    rmSync(stateHome, { recursive: true, force: true });
  }

  // What part of every figure with "Node start included" is Node's own start.
  log('node: start of an empty script');
  const nodeStart = async (env: NodeJS.ProcessEnv) => {
    const t: number[] = [];
    for (let i = 0; i < reps(10, 5); i++) t.push((await runMeasured([process.execPath, '-e', '0'], { env })).wallMs);
    return median(t);
  };
  row({ backend: 'tutor', figure: "Node's own start (node -e 0)", value: await nodeStart(process.env), unit: 'ms' });
  if (caCerts)
    row({
      backend: 'tutor',
      figure: 'the same with NODE_EXTRA_CA_CERTS, as set here',
      value: await nodeStart({ ...process.env, NODE_EXTRA_CA_CERTS: caCerts }),
      unit: 'ms',
    });

  for (const r of await benchNpmStart({ title, cacheHome, quick, log, problems })) row(r);

  log('host: sandbox ready');
  const ready: number[] = [];
  for (let i = 0; i < reps(10, 3); i++) {
    const r = await timed(make);
    ready.push(r.ms);
    await r.value.close();
  }
  row({
    backend: 'host',
    figure: 'sandbox ready (createHostSandbox)',
    value: median(ready),
    unit: 'ms',
    target: 100,
    detail: `median of ${ready.length}`,
  });

  log('host: command round trips');
  const sb = await make();
  try {
    const t = await commandRoundTrips(sb, reps(100, 20));
    row({ backend: 'host', figure: "one command, median (run('true'))", value: median(t), unit: 'ms', detail: `n=${t.length}` });
    row({ backend: 'host', figure: 'one command, p95', value: percentile(t, 95), unit: 'ms' });
  } finally {
    await sb.close();
  }

  log('host: checks per step');
  const per = (await checksPerStep(course, make, lastStepOf(course, 'underlay-ping'), reps(3, 1))).map((p) => p.ms);
  row({
    backend: 'host',
    figure: 'checks per step, median (Controller.check)',
    value: median(per),
    unit: 'ms',
    target: 30,
    detail: `${per.length} steps, slowest ${fmtMs(Math.max(...per))}`,
  });

  log('host: play --auto --to underlay-ping vs the floor');
  const p = await playVsFloor('host', course, 'underlay-ping', reps(2, 1), hostFloor);
  row({ backend: 'host', figure: 'play --auto --to underlay-ping (wall, Node start included)', value: p.wall, unit: 'ms', target: 1000 });
  row({
    backend: 'host',
    figure: `floor: same ${p.commands} commands, plain script in unshare -Urnm`,
    value: p.floor,
    unit: 'ms',
    detail: `${p.floorFails} exit non-zero`,
  });
  row({ backend: 'host', figure: 'ratio play / floor', value: p.wall / p.floor, unit: 'x' });
  row({ backend: 'tutor', figure: 'peak RSS, play --auto --backend host', value: p.peak === null ? null : p.peak / 1024, unit: 'MiB' });
}

/** The uml figures of `--json` (medians), each beside the floor it is judged against. */
interface UmlFigures {
  ready_ms: number | null;
  bare_boot_ms: number | null;
  command_ms: number | null;
  exec_floor_ms: number | null;
  checks_ms: number | null;
  check_floor_ms: number | null;
  course_ms: number | null;
  course_floor_ms: number | null;
  rss_mib: number | null;
  /** what course_ms covers: the whole course, or up to a lesson (--quick) */
  course_to: string | null;
}
let umlFigures: UmlFigures | null = null;

/** A ratio row against a floor measured in this run. */
function ratio(figure: string, value: number | null, floor: number | null, target: number): void {
  row({ backend: 'uml', figure, value: value !== null && floor ? value / floor : null, unit: 'x', target });
}

async function benchUml(course: Course): Promise<void> {
  const { createUmlSandbox } = await import('../sandbox/uml/umlSandbox.js');
  const made: Sandbox[] = [];
  const make = async () => {
    const s = await createUmlSandbox();
    made.push(s);
    return s;
  };
  const kernelHwmMiB = (s: Sandbox | undefined) => {
    const kpid = (s as unknown as { pid?: number } | undefined)?.pid;
    const hwm = kpid ? vmHwmKiB(kpid) : null;
    return hwm === null ? null : hwm / 1024;
  };

  // The floors, each measured in this run: a bare boot to init; sh forking /bin/true and one
  // `ip -j link show` inside a guest booted as the tutor's is.
  log('uml: floors (bare boot to init; sh forking /bin/true and one ip -j link show in the guest)');
  const bare: number[] = [];
  for (let i = 0; i < reps(5, 3); i++) {
    const ms = await umlBareBoot();
    if (ms === null) problems.push('uml: the bare boot never reached its init');
    else bare.push(ms);
  }
  const guest = await umlGuestFloors(reps(20, 10));
  if (guest.execMs === null || guest.ipMs === null) problems.push('uml: the guest floors did not print their timings');
  row({
    backend: 'uml',
    figure: 'floor: bare boot to init',
    value: bare.length ? median(bare) : null,
    unit: 'ms',
    detail: `median of ${bare.length}`,
  });
  row({ backend: 'uml', figure: 'floor: sh forking /bin/true in the guest', value: guest.execMs, unit: 'ms' });
  row({ backend: 'uml', figure: 'floor: one ip -j link show in the guest', value: guest.ipMs, unit: 'ms' });

  log('uml: boot to ready');
  const boots: number[] = [];
  let sb: Sandbox | null = null;
  for (let i = 0; i < reps(5, 3); i++) {
    const r = await timed(createUmlSandbox);
    boots.push(r.ms);
    if (sb) await sb.close();
    sb = r.value;
  }
  const ready = median(boots);
  const bareBoot = bare.length ? median(bare) : null;
  row({ backend: 'uml', figure: 'sandbox ready (boot to agent ready)', value: ready, unit: 'ms', detail: `median of ${boots.length}` });
  ratio('ratio ready / bare boot', ready, bareBoot, 1.4);

  let command: number | null = null;
  try {
    log('uml: command round trips');
    const t = await commandRoundTrips(sb!, reps(40, 15));
    command = median(t);
    row({ backend: 'uml', figure: "one command, median (run('true'))", value: command, unit: 'ms', detail: `n=${t.length}` });
    row({ backend: 'uml', figure: 'one command, p95', value: percentile(t, 95), unit: 'ms' });
    ratio('ratio command / guest exec floor', command, guest.execMs, 2);
    // A line of plain words is exec'd by the agent; shell syntax starts bash, the cost beside it.
    const shell = await commandRoundTrips(sb!, reps(20, 7), 'true;');
    row({
      backend: 'uml',
      figure: "one command line that needs bash, median (run('true;'))",
      value: median(shell),
      unit: 'ms',
      detail: `n=${shell.length}`,
    });

    log('uml: guest memory');
    const free = await sb!.run('free -m');
    const mem = /^Mem:\s+(\d+)\s+(\d+)/m.exec(free.stdout);
    row({ backend: 'uml', figure: 'guest memory (mem= setting)', value: DEFAULT_UML_MEM_MIB, unit: 'MiB' });
    if (mem) {
      row({ backend: 'uml', figure: 'guest MemTotal (free -m)', value: Number(mem[1]), unit: 'MiB' });
      row({ backend: 'uml', figure: 'guest used at idle (free -m)', value: Number(mem[2]), unit: 'MiB' });
    } else problems.push(`uml: could not read free -m: ${free.stdout}${free.stderr}`);
  } finally {
    await sb?.close();
  }

  log('uml: checks per step');
  let rss: number | null = null;
  const per = await checksPerStep(course, make, lastStepOf(course, 'underlay-ping'), reps(2, 1), () => {
    rss = kernelHwmMiB(made[made.length - 1]);
  });
  const noPing = per.filter((p) => !p.ping).map((p) => p.ms);
  const all = per.map((p) => p.ms);
  const checks = noPing.length ? median(noPing) : null;
  row({
    backend: 'uml',
    figure: 'checks per step, median (Controller.check), steps without a ping',
    value: checks,
    unit: 'ms',
    detail: `${noPing.length} steps`,
  });
  row({
    backend: 'uml',
    figure: 'checks per step, median, every step',
    value: median(all),
    unit: 'ms',
    detail: `${all.length} steps, slowest ${fmtMs(Math.max(...all))}`,
  });
  ratio('ratio checks (no ping) / one guest ip -j', checks, guest.ipMs, 1.5);
  row({
    backend: 'uml',
    figure: 'linux.uml peak RSS (VmHWM) after the checks session',
    value: rss,
    unit: 'MiB',
    target: 64,
  });

  // The whole course takes a while on a small machine: --quick stops after underlay-ping.
  const to = quick ? 'underlay-ping' : undefined;
  log(`uml: play --auto ${to ? `--to ${to}` : '(whole course)'} vs the floor`);
  const p = await playVsFloor('uml', course, to, 1, (c) => umlFloor(c));
  const what = to ? `--to ${to}` : 'whole course';
  row({ backend: 'uml', figure: `play --auto ${what} (wall, Node start included)`, value: p.wall, unit: 'ms' });
  row({
    backend: 'uml',
    figure: `floor: same kernel, init runs the ${p.commands} commands, halts`,
    value: p.floor,
    unit: 'ms',
    detail: `${p.floorFails} exit non-zero`,
  });
  ratio('ratio play / floor', p.wall, p.floor, 1.4);
  row({
    backend: 'uml',
    figure: 'linux.uml peak RSS in the floor run (VmHWM)',
    value: p.floorPeak === null ? null : p.floorPeak / 1024,
    unit: 'MiB',
  });
  row({
    backend: 'tutor',
    figure: 'peak RSS, play --auto --backend uml (largest process)',
    value: p.peak === null ? null : p.peak / 1024,
    unit: 'MiB',
  });
  umlFigures = {
    ready_ms: ready,
    bare_boot_ms: bareBoot,
    command_ms: command,
    exec_floor_ms: guest.execMs,
    checks_ms: checks,
    check_floor_ms: guest.ipMs,
    course_ms: p.wall,
    course_floor_ms: p.floor,
    rss_mib: rss,
    course_to: to ?? null,
  };
}

async function classroomSection(): Promise<void> {
  const f = await benchClassroom({
    cli: CLI,
    echo: fileURLToPath(new URL('./echo.js', import.meta.url)),
    learners: quick ? 50 : 200,
    seconds: quick ? 6 : 20,
    log,
  });
  if (f.latencySamples < f.learners)
    problems.push(`classroom: only ${f.latencySamples} dashboard updates were matched to learner messages`);
  const who = `${f.learners} learners, 1 msg pair/s each, ${f.seconds} s`;
  row({
    backend: 'classroom',
    figure: `dashboard update latency p95 (learner message -> dashboard update; ${who})`,
    value: f.latencyP95,
    unit: 'ms',
    target: 250,
    detail: `n=${f.latencySamples}`,
  });
  row({
    backend: 'classroom',
    figure: 'dashboard update latency, median (updates are batched every 40 ms)',
    value: f.latencyP50,
    unit: 'ms',
  });
  row({
    backend: 'classroom',
    figure: 'floor: bare ws echo round trip p95, same clients and rate',
    value: f.floorP95,
    unit: 'ms',
    detail: `median ${fmtMs(f.floorP50)}`,
  });
  row({ backend: 'classroom', figure: 'ratio latency p95 / floor p95', value: f.latencyP95 / f.floorP95, unit: 'x' });
  row({
    backend: 'classroom',
    figure: 'server CPU while the learners report (one core = 100%)',
    value: f.serverCpuPct,
    unit: '%',
    target: 50,
  });
  row({ backend: 'classroom', figure: 'server messages handled', value: f.messagesPerSec, unit: '/s' });
  row({
    backend: 'classroom',
    figure: 'server RSS at the end (peak)',
    value: f.serverRssMiB,
    unit: 'MiB',
    target: 200,
    detail: f.serverPeakMiB === null ? undefined : `peak ${f.serverPeakMiB.toFixed(0)} MiB`,
  });
}

const LAB_P95_TARGET = 300;

/**
 * The browser lab: classes of 5 to 40 simulated attendees on real sandboxes (quick: 5), each
 * doing the first lessons at a typical pace; the largest class whose command latency p95 stays
 * within 300 ms is the figure an instructor sizes a workshop by (and `--lab-max` defaults from).
 */
async function labSection(course: Course): Promise<void> {
  const backend = await labBackend();
  const sizes = quick ? [5] : [5, 10, 20, 40];
  const toLesson = quick ? 'veth' : 'addresses';
  const figures: LabClassFigures[] = [];
  for (const attendees of sizes) {
    log(`lab: a class of ${attendees} on ${backend}, lessons up to ${toLesson}...`);
    const f = await benchLabClass({ course, attendees, backend, toLesson, log });
    figures.push(f);
    log(
      `lab: ${attendees} attendees: p50 ${fmtMs(f.p50)}, p95 ${fmtMs(f.p95)}, ${f.mibPerAttendee.toFixed(0)} MiB each, CPU ${f.cpuPct.toFixed(0)} %, ${f.seconds.toFixed(0)} s`,
    );
    // The smallest class must get through; a larger one that cannot is what the sizing measures.
    if (f.failed && attendees === sizes[0]) problems.push(`lab: ${f.failed} of ${attendees} attendees did not finish (see the log)`);
    else if (f.failed)
      row({ backend: 'lab', figure: `attendees of the class of ${attendees} who did not get through in time`, value: f.failed, unit: 'n' });
    const who = `${attendees} attendees on ${backend}, ${f.commands} commands in ${f.seconds.toFixed(0)} s`;
    row({
      backend: 'lab',
      figure: `command latency p95, Enter -> command done (${who})`,
      value: f.p95,
      unit: 'ms',
      target: LAB_P95_TARGET,
      detail: `median ${fmtMs(f.p50)}`,
    });
    row({
      backend: 'lab',
      figure: `memory per attendee (tutor process + sandbox, PSS), class of ${attendees}`,
      value: f.mibPerAttendee,
      unit: 'MiB',
    });
    row({ backend: 'lab', figure: `machine CPU while the class of ${attendees} works (all cores = 100%)`, value: f.cpuPct, unit: '%' });
  }
  const ok = figures.filter((f) => f.p95 <= LAB_P95_TARGET && f.failed === 0).map((f) => f.attendees);
  row({
    backend: 'lab',
    figure: `largest class with p95 <= ${LAB_P95_TARGET} ms (of ${sizes.join(', ')})`,
    value: ok.length ? Math.max(...ok) : 0,
    unit: 'n',
    detail: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  });
}

function show(r: Row): string {
  if (r.value === null) return 'n/a';
  if (r.unit === 'ms') return fmtMs(r.value);
  if (r.unit === 'x') return `${r.value.toFixed(2)}×`;
  if (r.unit === '%') return `${r.value.toFixed(1)} %`;
  if (r.unit === '/s') return `${Math.round(r.value)}/s`;
  if (r.unit === 'n') return String(r.value);
  return `${r.value.toFixed(r.value < 10 ? 1 : 0)} MiB`;
}

function showTarget(r: Row): string {
  if (r.target === undefined) return '';
  return `≤ ${r.unit === 'ms' ? fmtMs(r.target) : r.unit === 'x' ? `${r.target}×` : r.unit === '%' ? `${r.target} %` : `${r.target} MiB`}`;
}

function table(): string {
  const head = ['backend', 'figure', 'value', 'target', ''];
  const body = rows.map((r) => [
    r.backend,
    r.figure + (r.detail ? ` (${r.detail})` : ''),
    show(r),
    showTarget(r),
    r.ok === undefined ? '' : r.ok ? 'PASS' : 'MISS',
  ]);
  const widths = head.map((_, i) => Math.max(head[i]!.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  const course = loadCourse(defaultCourseDir());
  const started = performance.now();
  try {
    if (only === undefined || only === 'host') await benchHost(course);
    if (only === undefined || only === 'uml') await benchUml(course);
    if (only === undefined || only === 'classroom') await classroomSection();
    if (only === undefined || only === 'lab') await labSection(course);
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
  const self = process.resourceUsage().maxRSS;
  row({ backend: 'tutor', figure: 'peak RSS of this bench process (in-process sandboxes and sessions)', value: self / 1024, unit: 'MiB' });

  const machine = {
    cpus: os.cpus().length,
    load: os.loadavg().map((l) => Number(l.toFixed(2))),
    kernel: os.release(),
    node: process.version,
    uid: process.getuid?.(),
  };
  const out = `${table()}\n\n${quick ? 'quick run; ' : ''}${machine.cpus} CPUs, load ${machine.load.join(' ')}, kernel ${machine.kernel}, node ${machine.node}, ${fmtMs(performance.now() - started)} in all${problems.length ? `\n\nproblems:\n${problems.map((p) => `  - ${p}`).join('\n')}` : ''}\n`;
  if (json) {
    process.stderr.write(out);
    process.stdout.write(`${JSON.stringify({ quick, machine, ...(umlFigures ? { uml: umlFigures } : {}), rows, problems }, null, 2)}\n`);
  } else process.stdout.write(out);
  return problems.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
