import { readFileSync } from 'node:fs';
import { describeCheck } from '../../checks/describe.js';
import type { Course } from '../../course/load.js';
import { flatSteps, type StepPos } from '../../course/progress.js';
import { memoryProgressStore } from '../../course/progressStore.js';
import { Session, type Builtin } from '../../engine/session.js';
import { lessonTitle, stepText } from '../../course/texts.js';
import type { Lang } from '../../i18n/lang.js';
import type { Sandbox } from '../../sandbox/types.js';
import { UsageError } from '../../engine/errors.js';
import { tu } from '../../i18n/uiMessages.js';

// Non-interactive runs of the same engine the REPL uses: `play --auto` solves every step,
// `play --commands` replays what a learner typed. One line per step; exit 0 only if all passed.
export interface PlayOptions {
  course: Course;
  makeSandbox: () => Promise<Sandbox>;
  lang: Lang;
  from?: string;
  to?: string;
  builtins?: Record<string, Builtin>;
  out: (line: string) => void;
  /** human pace for projecting in class: type commands slowly, pause on reading steps */
  pace?: 'fast' | 'human';
  signal?: AbortSignal;
}

/** Resolve `--from`/`--to`: a lesson id, or lesson/step. */
export function resolveStep(course: Course, ref: string, end: 'first' | 'last'): StepPos {
  const [lessonId, stepId] = ref.split('/');
  const steps = flatSteps(course).filter((s) => s.lessonId === lessonId && (stepId === undefined || s.stepId === stepId));
  const hit = end === 'first' ? steps[0] : steps[steps.length - 1];
  if (!hit) {
    const ids = course.lessons.map((l) => l.id).join(', ');
    throw new UsageError(`no lesson or step "${ref}" (lessons: ${ids})`);
  }
  return hit.pos;
}

const before = (a: StepPos, b: StepPos) => a.lesson < b.lesson || (a.lesson === b.lesson && a.step < b.step);
const same = (a: StepPos, b: StepPos) => a.lesson === b.lesson && a.step === b.step;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function range(course: Course, o: PlayOptions) {
  const flat = flatSteps(course);
  const from = o.from ? resolveStep(course, o.from, 'first') : flat[0]!.pos;
  const to = o.to ? resolveStep(course, o.to, 'last') : flat[flat.length - 1]!.pos;
  if (before(to, from)) throw new UsageError(`--to ${o.to} comes before --from ${o.from}`);
  return { from, to };
}

async function openSession(o: PlayOptions, from: StepPos, auto: boolean): Promise<Session> {
  const store = memoryProgressStore();
  // play --auto solves then checks each step, so the entry evaluation would be wasted work;
  // play --commands keeps it (a typed command is checked anyway, but reading the goal is cheap there).
  const session = new Session({
    course: o.course,
    makeSandbox: o.makeSandbox,
    store,
    lang: o.lang,
    unlockAll: true,
    builtins: o.builtins,
    evaluateOnEntry: !auto,
  });
  await session.jump(from, undefined, o.signal);
  return session;
}

function stepLabel(s: Session): string {
  const v = s.current;
  return `${v.lesson.id}/${v.step.id}`;
}

function failureReason(s: Session): string {
  const bad = s.checks.find((c) => !c.ok);
  return bad ? describeCheck(bad, s.lang) : tu(s.lang, 'play_no_reason');
}

export async function playAuto(o: PlayOptions): Promise<number> {
  const { from, to } = range(o.course, o);
  const session = await openSession(o, from, true);
  let failed = 0;
  let passed = 0;
  try {
    for (;;) {
      if (o.signal?.aborted) break;
      const v = session.current;
      const missing = session.unavailable();
      if (missing) {
        failed++;
        o.out(`✗ ${stepLabel(session)}: ${tu(o.lang, 'step_needs_feature', { feature: missing, backend: session.box!.info.backend })}`);
      } else {
        if (o.pace === 'human') {
          o.out(`\n== ${lessonTitle(v.lesson, o.lang)} — ${stepText(v.lesson, v.step.id, o.lang).title}`);
          if (v.isReading) await sleep(2500);
        }
        await session.solve(
          o.pace === 'human'
            ? (cmd) => {
                o.out(`$ ${cmd}`);
              }
            : undefined,
          o.pace === 'human' ? { onOutput: (c) => process.stdout.write(c), signal: o.signal } : { signal: o.signal },
        );
        if (o.pace === 'human') await sleep(1200);
        if (session.stepPassed) {
          passed++;
          o.out(`✓ ${stepLabel(session)}${v.isReading ? ` (${tu(o.lang, 'reading')})` : ''}`);
        } else {
          failed++;
          o.out(`✗ ${stepLabel(session)}: ${failureReason(session)}`);
        }
      }
      if (same(session.pos, to) || !(await session.next())) break;
    }
  } finally {
    await session.close();
  }
  o.out(`${passed} passed, ${failed} failed`);
  return failed === 0 && !o.signal?.aborted ? 0 : 1;
}

/** Lines of a commands file: blank lines and `#` comments are skipped. */
export function readCommands(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read commands file "${file}": ${(e as Error).message}`);
  }
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
}

export async function playCommands(o: PlayOptions & { commands: string[]; echo?: boolean }): Promise<number> {
  const { from, to } = range(o.course, o);
  const session = await openSession(o, from, false);
  let completedAll = false;
  let reported = false;
  const advance = async (): Promise<boolean> => {
    if (same(session.pos, to)) {
      completedAll = true;
      return false;
    }
    return session.next();
  };
  try {
    // Reading steps need no input: pass through them until a step that waits for state.
    const skipReading = async (): Promise<boolean> => {
      while (session.current.isReading) {
        o.out(`✓ ${stepLabel(session)} (${tu(o.lang, 'reading')})`);
        if (!(await advance())) return false;
      }
      return true;
    };
    let going = await skipReading();
    for (const line of o.commands) {
      if (!going || o.signal?.aborted) break;
      if (o.echo) o.out(`$ ${line}`);
      const r = await session.submit(line, { signal: o.signal });
      if (r.run?.timedOut) o.out(`  ! ${tu(o.lang, 'cmd_timed_out')}`);
      if (r.kind === 'answer' && !session.stepPassed) o.out(`  ${tu(o.lang, 'play_wrong_answer', { answer: line.trim() })}`);
      if (session.stepPassed) {
        o.out(`✓ ${stepLabel(session)}`);
        going = (await advance()) && (await skipReading());
      }
    }
    if (!completedAll && going) {
      o.out(`✗ ${stepLabel(session)}: ${failureReason(session)}`);
      reported = true;
    }
  } finally {
    await session.close();
  }
  if (!completedAll && !reported) o.out(`✗ ${tu(o.lang, 'play_incomplete')}`);
  o.out(completedAll ? tu(o.lang, 'play_course_complete') : tu(o.lang, 'play_course_incomplete'));
  return completedAll ? 0 : 1;
}
