import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkState } from '../../src/checks/checkState.js';
import { lintRun, type RunReport } from '../../src/engine/lint.js';
import { CourseError } from '../../src/course/courseError.js';
import { loadCourse, type Course } from '../../src/course/load.js';
import { flatSteps, type StepPos } from '../../src/course/progress.js';
import { memoryProgressStore } from '../../src/course/progressStore.js';
import { Controller } from '../../src/engine/controller.js';
import { DEFAULT_MAX_OUTPUT_BYTES } from '../../src/sandbox/defaults.js';
import { createHostSandbox } from '../../src/sandbox/host/hostSandbox.js';
import { hostShims } from '../../src/sandbox/hostShims.js';
import type { Sandbox } from '../../src/sandbox/types.js';
import { CLI, REPO, requireBuilt, requireUml, runTutor } from '../helpers/tutor.js';

// README: broken lessons are reported precisely, and nothing a learner types can break the
// session: hanging, flooding, binary or odd input, Ctrl-C. Engine-level, with real sandboxes.

// ------------------------------------------------------------------ malformed lesson files

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const GOOD_LESSON = `format: 2
id: l1
steps:
  - id: a
    solution: [ip netns add ns1]
    checks:
      - { id: ns1, type: netns, name: ns1 }
  - id: b
    solution: [ip netns add ns2]
    checks:
      - { id: ns2, type: netns, name: ns2 }
`;
const GOOD_TEXT = `title: L1
steps:
  a: { title: A, body: make ns1 }
  b: { title: B, body: make ns2 }
`;

/** A one-lesson course in a temp dir; `lesson`/`text` replace the good files. */
function course(files: { lesson?: string; text?: string } = {}): { dir: string; lessonFile: string; textFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-course-'));
  tmpDirs.push(dir);
  mkdirSync(join(dir, 'l1'));
  writeFileSync(join(dir, 'course.yaml'), 'format: 2\nid: test\ntitle: { en: Test course }\nlessons: [l1]\n');
  writeFileSync(join(dir, 'l1', 'lesson.yaml'), files.lesson ?? GOOD_LESSON);
  writeFileSync(join(dir, 'l1', 'en.yaml'), files.text ?? GOOD_TEXT);
  return { dir, lessonFile: join(dir, 'l1', 'lesson.yaml'), textFile: join(dir, 'l1', 'en.yaml') };
}

function loadError(dir: string): CourseError {
  try {
    loadCourse(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(CourseError);
    return e as CourseError;
  }
  throw new Error('loadCourse accepted a broken course');
}

/** The message names the file, the step and the field, in that order, then the reason. */
function expectNamed(e: CourseError, file: string, step: string | undefined, field: string | undefined, reason: RegExp) {
  expect(resolve(e.file)).toBe(file);
  expect(e.step).toBe(step);
  expect(e.field).toBe(field);
  expect(e.reason).toMatch(reason);
  const head = [e.file, step && `step "${step}"`, field && `field ${field}`].filter(Boolean).join(', ');
  expect(e.message.startsWith(`${head}: `), e.message).toBe(true);
}

describe('malformed lesson files give a CourseError naming file, step and field', () => {
  it('the fixture course itself is fine (so each failure below is the one change)', () => {
    expect(loadCourse(course().dir).lessons[0]!.def.steps.map((s) => s.id)).toEqual(['a', 'b']);
  });

  it('YAML syntax error: file, line and column', () => {
    const c = course({ lesson: GOOD_LESSON.replace('solution: [ip netns add ns1]', 'solution: [ip netns add ns1') });
    const e = loadError(c.dir);
    expectNamed(e, c.lessonFile, undefined, undefined, /^YAML syntax error \(line \d+, column \d+\)/);
  });

  it('unknown check type', () => {
    const c = course({ lesson: GOOD_LESSON.replace('type: netns, name: ns1', 'type: bogus, name: ns1') });
    expectNamed(loadError(c.dir), c.lessonFile, 'a', 'checks[0].type', /netns.*link.*address/);
  });

  it('bad IP address', () => {
    const c = course({
      lesson: GOOD_LESSON.replace('{ id: ns2, type: netns, name: ns2 }', '{ id: p, type: ping, netns: ns1, to: 10.10.300.2 }'),
    });
    expectNamed(loadError(c.dir), c.lessonFile, 'b', 'checks[0].to', /not an IPv4 address/);
  });

  it('bad CIDR in a route check', () => {
    const c = course({ lesson: GOOD_LESSON.replace('{ id: ns2, type: netns, name: ns2 }', '{ type: route, dst: 10.10.20.0/33 }') });
    expectNamed(loadError(c.dir), c.lessonFile, 'b', 'checks[0].dst', /not an IPv4 address or CIDR/);
  });

  it('missing step text', () => {
    const c = course({ text: GOOD_TEXT.replace('  b: { title: B, body: make ns2 }\n', '') });
    expectNamed(loadError(c.dir), c.textFile, 'b', 'steps', /no text for this step/);
  });

  it('a step text without its body', () => {
    const c = course({ text: GOOD_TEXT.replace('b: { title: B, body: make ns2 }', 'b: { title: B }') });
    expectNamed(loadError(c.dir), c.textFile, 'b', 'body', /./);
  });

  it('duplicate step ids', () => {
    const c = course({ lesson: GOOD_LESSON.replace('- id: b', '- id: a') });
    expectNamed(loadError(c.dir), c.lessonFile, 'a', 'id', /duplicate step id "a"/);
  });

  it('a hint tied to a check that does not exist', () => {
    const c = course({ text: GOOD_TEXT.replace('b: { title: B, body: make ns2 }', 'b: { title: B, body: make ns2, hints: { nope: x } }') });
    expectNamed(loadError(c.dir), c.textFile, 'b', 'hints.nope', /no check "nope"/);
  });

  it('a step whose solution fails: lintRun reports that step', async () => {
    const c = course({ lesson: GOOD_LESSON.replace('solution: [ip netns add ns2]', 'solution: [ip netns add ns3]') });
    const reports: RunReport[] = [];
    const ok = await lintRun(
      loadCourse(c.dir),
      () => createHostSandbox({ shims: hostShims() }),
      'en',
      (r) => reports.push(r),
    );
    expect(ok).toBe(false);
    expect(reports.find((r) => r.step === 'l1/a')).toMatchObject({ ok: true });
    expect(reports.find((r) => r.step === 'l1/b')).toMatchObject({ ok: false, message: expect.stringMatching(/solution fails: /) });
  });

  it('CLI: a lesson directory that does not exist -> exit 2, a clear message, no stack trace', async () => {
    const r = await runTutor(['lessons', '--lessons', '/nope'], { timeoutMs: 30_000 });
    r.run.dispose();
    expect(r.exit.code).toBe(2);
    expect(r.stderr.trim()).toBe('Lesson error: /nope: lesson directory does not exist');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('CLI: output into a pipe whose reader has gone (| true) ends quietly: exit 0, no stack trace', () => {
    requireBuilt();
    // `true` exits without reading, so the tutor's first write meets a closed pipe (EPIPE).
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" lessons | true; echo "\${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('0');
  });

  it('CLI: a broken lesson file -> exit 2 with file, step and field', async () => {
    const c = course({ lesson: GOOD_LESSON.replace('type: netns, name: ns1', 'type: bogus, name: ns1') });
    const r = await runTutor(['lessons', '--lessons', c.dir], { timeoutMs: 30_000 });
    r.run.dispose();
    expect(r.exit.code).toBe(2);
    expect(r.stderr).toMatch(/^Lesson error: .*l1\/lesson\.yaml, step "a", field checks\[0\]\.type: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

// ------------------------------------------------------------------ what a learner types

const realCourse: Course = loadCourse(join(REPO, 'lessons'));
const posOf = (key: string): StepPos => {
  const hit = flatSteps(realCourse).find((s) => s.key === key);
  if (!hit) throw new Error(`the course has no step ${key}`);
  return hit.pos;
};

function typedInputCases(backend: 'host' | 'uml', make: () => Promise<Sandbox>, budget: { boot: number }) {
  let session: Controller;
  let probes = 0;

  beforeAll(async () => {
    if (backend === 'uml') requireUml();
    session = new Controller({ course: realCourse, makeSandbox: make, store: memoryProgressStore(), lang: 'en', unlockAll: true });
    // a task step (not a quiz: there, words like `yes` would be taken as an answer)
    expect(await session.jump(posOf('namespaces/add-ns'))).toBe(true);
  }, budget.boot);
  afterAll(async () => {
    await session?.close();
  });
  // After every case: the sandbox still works.
  afterEach(async () => {
    const r = await session.submit(`ip netns add probe${++probes}`);
    expect(r.kind).toBe('command');
    expect(r.run?.exitCode, `sandbox broken after the case: ${r.run?.stderr}`).toBe(0);
  });

  it('a command that hangs (sleep 100) is stopped at timeoutMs; the session goes on', async () => {
    const r = await session.submit('sleep 100', { timeoutMs: 500 });
    expect(r.run).toMatchObject({ timedOut: true, interrupted: false });
    expect(r.run!.durationMs).toBeLessThan(4_000);
    expect(r.run!.exitCode).not.toBe(0);
  });

  it('ping without -c is interrupted like Ctrl-C and still prints its statistics', async () => {
    const r = await session.submit('ping 127.0.0.1', { timeoutMs: 1_500 });
    expect(r.run!.timedOut).toBe(true);
    expect(r.run!.stdout).toMatch(/127\.0\.0\.1 ping statistics/);
  });

  it('cat reads an empty stdin and ends at once', async () => {
    const r = await session.submit('cat', { timeoutMs: 5_000 });
    expect(r.run).toMatchObject({ exitCode: 0, timedOut: false, stdout: '' });
  });

  it('flood output (yes) is cut at the cap with a note, quickly', async () => {
    const r = await session.submit('yes', { timeoutMs: 15_000 });
    expect(r.run!.truncated).toBe(true);
    expect(r.run!.timedOut).toBe(false);
    expect(r.run!.stdout).toMatch(/\[ipip-tutor: output cut at 256 KiB; the command was stopped\]\n$/);
    expect(Buffer.byteLength(r.run!.stdout)).toBeLessThan(DEFAULT_MAX_OUTPUT_BYTES + 200);
    expect(r.run!.stdout.startsWith('y\ny\n')).toBe(true);
  });

  it('binary output does not throw', async () => {
    const r = await session.submit('head -c 2000 /dev/urandom');
    expect(r.run!.exitCode).toBe(0);
    expect(typeof r.run!.stdout).toBe('string');
    expect(r.run!.stdout.length).toBeGreaterThan(500);
  });

  it('a 1 MB line: cut at the default cap; whole with a larger cap', async () => {
    const cut = await session.submit("head -c 1048576 /dev/zero | tr '\\0' a");
    expect(cut.run!.truncated).toBe(true);
    const whole = await session.submit("head -c 1048576 /dev/zero | tr '\\0' a; echo", { maxOutputBytes: 2 << 20 });
    expect(whole.run!.truncated).toBe(false);
    expect(whole.run!.stdout).toBe('a'.repeat(1048576) + '\n');
  });

  it('unicode round-trips, also when multi-byte characters straddle chunk boundaries', async () => {
    const r = await session.submit('echo 隧道 ✓');
    expect(r.run!.stdout).toBe('隧道 ✓\n');
    const big = await session.submit("for i in $(seq 1 30000); do printf '隧'; done");
    expect(big.run!.stdout).toBe('隧'.repeat(30000));
  });

  it('empty and only-space input is "empty": nothing runs', async () => {
    for (const input of ['', '  ', '\t ']) {
      const r = await session.submit(input);
      expect(r.kind).toBe('empty');
      expect(r.run).toBeUndefined();
    }
  });

  it('unbalanced quotes: bash says so, exit 2', async () => {
    const r = await session.submit('echo "abc');
    expect(r.run!.exitCode).toBe(2);
    expect(r.run!.stderr).toMatch(/unexpected EOF/);
  });

  it('a command that is not installed: exit 127, "command not found"', async () => {
    const r = await session.submit('no-such-tool-xyz --help');
    expect(r.run!.exitCode).toBe(127);
    expect(r.run!.stderr).toMatch(/no-such-tool-xyz: command not found/);
  });

  it('Ctrl-C (AbortController) during a command interrupts it', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await session.submit('sleep 100', { signal: ac.signal, timeoutMs: 30_000 });
    expect(r.run).toMatchObject({ interrupted: true, timedOut: false });
    expect(r.run!.durationMs).toBeLessThan(4_000);
  });
}

describe('typed input on the host backend', () => {
  typedInputCases('host', () => createHostSandbox({ shims: hostShims() }), { boot: 30_000 });
});

describe('typed input on the uml backend', () => {
  typedInputCases(
    'uml',
    async () => {
      const { createUmlSandbox } = await import('../../src/sandbox/uml/umlSandbox.js');
      return createUmlSandbox();
    },
    { boot: 60_000 },
  );
});

// ------------------------------------------------------------------ Ctrl-C during fast-forward

/** A course whose step "b" takes seconds to replay, so Ctrl-C can land inside it deterministically. */
const SLOW_LESSON = `format: 2
id: l1
steps:
  - id: a
    solution: [ip netns add a1]
    checks:
      - { id: a1, type: netns, name: a1 }
  - id: b
    solution: [ip netns add b1, sleep 3, ip netns add b2]
    checks:
      - { id: b1, type: netns, name: b1 }
      - { id: b2, type: netns, name: b2 }
  - id: c
    solution: [ip netns add c1]
    checks:
      - { id: c1, type: netns, name: c1 }
`;
const SLOW_TEXT = `title: L1
steps:
  a: { title: A, body: a }
  b: { title: B, body: b }
  c: { title: C, body: c }
`;

describe('Ctrl-C during fast-forward (host)', () => {
  const make = () => createHostSandbox({ shims: hostShims() });
  const sessions: Controller[] = [];
  const open = (c: Course) => {
    const s = new Controller({ course: c, makeSandbox: make, store: memoryProgressStore(), lang: 'en', unlockAll: true });
    sessions.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of sessions) await s.close();
  });

  /** What each check of the current step says, as `id=ok` strings. */
  const vector = async (s: Controller) => (await s.check()).map((c) => `${c.check.id ?? c.check.type}=${c.ok}`);

  /** The same, in a fresh session that jumped to `pos` without any abort: the exact start state of that step. */
  async function cleanVector(c: Course, pos: StepPos): Promise<string[]> {
    const ref = new Controller({ course: c, makeSandbox: make, store: memoryProgressStore(), lang: 'en', unlockAll: true });
    try {
      await ref.jump(pos);
      return ref.current.isReading ? [] : await vector(ref);
    } finally {
      await ref.close();
    }
  }

  /** Earlier task steps' checks pass, and the current step's checks read exactly as at a clean start of it. */
  async function expectStateOfStepStart(s: Controller) {
    const flat = flatSteps(s.course);
    const here = flat.findIndex((f) => f.pos.lesson === s.pos.lesson && f.pos.step === s.pos.step);
    const earlier: string[] = [];
    for (const f of flat.slice(0, here)) {
      const step = s.stepView(f.pos).step;
      const state = step.checks.filter((c) => c.type !== 'answer');
      if (state.length === 0) continue;
      const res = (await checkState(s.box!, state)).results;
      earlier.push(...res.filter((r) => !r.ok).map((r) => `${f.key}: ${r.key}`));
    }
    expect(earlier, 'earlier steps not rebuilt').toEqual([]);
    if (s.current.isReading) return;
    // soft: the usability checks after it still run when this fails
    expect
      .soft(await vector(s), `landed on ${s.current.key}, but its checks do not read as at the start of that step`)
      .toEqual(await cleanVector(s.course, s.pos));
  }

  it("aborted as a step's replay begins (real course): lands on a step whose start state is exact; the session is usable", async () => {
    // Given: a jump to underlay-ping/ping-both; Ctrl-C as the fast-forward reaches addresses/ns-side
    const session = open(realCourse);
    const target = posOf('underlay-ping/ping-both');
    const ac = new AbortController();
    const nsSide = posOf('addresses/ns-side');
    const nsSideFirst = realCourse.lessons[nsSide.lesson]!.def.steps[nsSide.step]!.solution[0]!;
    const seen: string[] = [];
    const ok = await session.jump(
      target,
      (p) => {
        seen.push(p.command);
        if (p.command === nsSideFirst) ac.abort();
      },
      ac.signal,
    );
    expect(ok).toBe(true);
    expect(seen).toContain(nsSideFirst);
    // Then: not at the target, somewhere consistent before it
    expect(session.current.key).not.toBe('underlay-ping/ping-both');
    await expectStateOfStepStart(session);
    // and the session still works: a command runs, and a full jump completes
    expect((await session.submit('ip netns add after-abort')).run?.exitCode).toBe(0);
    expect(await session.jump(target)).toBe(true);
    expect(session.current.key).toBe('underlay-ping/ping-both');
    await expectStateOfStepStart(session);
    expect((await session.submit('ip netns add probe-ff')).run?.exitCode).toBe(0);
  }, 60_000);

  it("aborted inside a step's replay: the landed step starts clean (none of its commands applied), the session is usable", async () => {
    // Given: a course whose step b replays `ip netns add b1; sleep 3; ip netns add b2`; Ctrl-C 1 s into b
    const c = loadCourse(course({ lesson: SLOW_LESSON, text: SLOW_TEXT }).dir);
    const session = open(c);
    const ac = new AbortController();
    const started = performance.now();
    const ok = await session.jump(
      { lesson: 0, step: 2 },
      (p) => {
        if (p.command === 'ip netns add b1') setTimeout(() => ac.abort(), 1000);
      },
      ac.signal,
    );
    expect(ok).toBe(true);
    // Then: it stopped promptly (the sleep was interrupted), not at c
    expect(performance.now() - started).toBeLessThan(3_000 + 1_500);
    expect(session.current.key).not.toBe('l1/c');
    // and wherever it landed reads exactly as a clean start of that step (b1 must not already exist at b's start)
    await expectStateOfStepStart(session);
    // and the session goes on: commands run, and restartStep rebuilds the same step exactly
    expect((await session.submit('ip netns add after-abort')).run?.exitCode).toBe(0);
    const here = session.current.key;
    await session.restart();
    expect(session.current.key).toBe(here);
    await expectStateOfStepStart(session);
  }, 60_000);
});
