import { readFileSync } from 'node:fs';
import { describeCheck } from '../../checks/describe.js';
import type { Course } from '../../course/load.js';
import { emptyProgress, flatSteps, type StepPos } from '../../course/progress.js';
import { memoryProgressStore } from '../../course/progressStore.js';
import { stepText } from '../../course/texts.js';
import { Controller } from '../../engine/controller.js';
import type { Builtin } from '../../engine/types.js';
import { EXIT, UsageError } from '../../engine/errors.js';
import type { Lang } from '../../i18n/lang.js';
import { tcli } from '../../i18n/cliMessages.js';
import { tu } from '../../i18n/uiMessages.js';
import { modulesFor, SandboxError, type Sandbox } from '../../sandbox/types.js';
import { attachTranscript } from '../../ui/transcript.js';

// Non-interactive runs of the same engine the REPL uses: `play --auto` solves every step,
// `play --commands` replays what a learner typed. One line per step by default; with `--echo`
// (commands) or `--pace human` (auto) the full transcript of what the REPL would show.
export interface PlayOptions {
  course: Course;
  makeSandbox: () => Promise<Sandbox>;
  lang: Lang;
  from?: string;
  to?: string;
  builtins?: Record<string, Builtin>;
  out: (line: string) => void;
  /** raw output without a newline (typing a command out at human pace) */
  write?: (text: string) => void;
  /** human pace for projecting in class: the step's text, commands typed out, pauses */
  pace?: 'fast' | 'human';
  signal?: AbortSignal;
  /** columns to wrap the transcript at */
  width?: number;
  /** ms per typed character at human pace (tests make it 0) */
  typingMs?: number;
  /** pauses between steps at human pace, in ms per second of the normal pause (tests make it 0) */
  pauseScale?: number;
  /** report to a classroom (--join): attached before the engine starts, detached when it closes */
  joinClass?: (c: Controller) => () => void;
}

/** Resolve `--from`/`--to`: a lesson id, or lesson/step. */
export function resolveStep(course: Course, ref: string, end: 'first' | 'last', lang: Lang = 'en'): StepPos {
  const [lessonId, stepId] = ref.split('/');
  const steps = flatSteps(course).filter((s) => s.lessonId === lessonId && (stepId === undefined || s.stepId === stepId));
  const hit = end === 'first' ? steps[0] : steps[steps.length - 1];
  if (!hit) {
    const ids = course.lessons.map((l) => l.id).join(', ');
    throw new UsageError(tcli(lang, 'err_no_step', { ref, ids }));
  }
  return hit.pos;
}

/** `step: ` before a reason, with the language's colon. */
const label = (lang: Lang, text: string) => tu(lang, 'ui_label', { label: text });
const before = (a: StepPos, b: StepPos) => a.lesson < b.lesson || (a.lesson === b.lesson && a.step < b.step);
const same = (a: StepPos, b: StepPos) => a.lesson === b.lesson && a.step === b.step;
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
  });

function range(course: Course, o: PlayOptions) {
  const flat = flatSteps(course);
  const from = o.from ? resolveStep(course, o.from, 'first', o.lang) : flat[0]!.pos;
  const to = o.to ? resolveStep(course, o.to, 'last', o.lang) : flat[flat.length - 1]!.pos;
  if (before(to, from)) throw new UsageError(tcli(o.lang, 'err_to_before_from', { to: o.to ?? '', from: o.from ?? '' }));
  return { from, to };
}

async function openController(o: PlayOptions, from: StepPos, auto: boolean, attach?: (c: Controller) => void): Promise<Controller> {
  const lesson = o.course.lessons[from.lesson]!;
  const store = memoryProgressStore({ ...emptyProgress(), current: { lesson: lesson.id, step: lesson.def.steps[from.step]!.id } });
  // play --auto solves then checks each step, so the entry evaluation would be wasted work;
  // play --commands keeps it (the learner's first command is judged against a known goal).
  const c = new Controller({
    course: o.course,
    makeSandbox: o.makeSandbox,
    store,
    lang: o.lang,
    unlockAll: true,
    ...(o.builtins ? { builtins: o.builtins } : {}),
    evaluateOnEntry: !auto,
    width: () => o.width ?? 80,
  });
  const abort = () => c.interrupt();
  o.signal?.addEventListener('abort', abort, { once: true });
  attach?.(c);
  o.joinClass?.(c);
  await c.start();
  const failure = c.getView().failure;
  if (failure) throw new SandboxError(failure.message, failure.fix, failure.log);
  return c;
}

function stepLabel(c: Controller): string {
  const v = c.current;
  return `${v.lesson.id}/${v.step.id}`;
}

function failureReason(c: Controller): string {
  const bad = c.checks.find((x) => !x.ok);
  return bad ? describeCheck(bad, c.lang) : tu(c.lang, 'play_no_reason');
}

/** A command typed out a character at a time, as a presenter would. */
async function typeOut(o: PlayOptions, text: string): Promise<void> {
  const write = o.write ?? ((t: string) => o.out(t));
  const ms = o.typingMs ?? 35;
  write('$ ');
  for (const ch of text) {
    if (o.signal?.aborted) break;
    write(ch);
    if (ms) await sleep(ms, o.signal);
  }
  write('\n');
}

export async function playAuto(o: PlayOptions): Promise<number> {
  const { from, to } = range(o.course, o);
  const human = o.pace === 'human';
  const typed = new Set<string>();
  let detach = () => {};
  const c = await openController(o, from, true, (ctl) => {
    if (human) detach = attachTranscript(ctl, { out: o.out, width: o.width ?? 80, stepText: true, typed: (cmd) => typed.delete(cmd) });
  });
  let failed = 0;
  let passed = 0;
  try {
    for (;;) {
      if (o.signal?.aborted) break;
      const v = c.current;
      const missing = c.unavailable();
      if (missing.length > 0) {
        failed++;
        o.out(
          `✗ ${label(o.lang, stepLabel(c))}${tu(o.lang, 'step_needs_feature', { feature: missing.join(', '), module: modulesFor(missing), backend: c.box!.info.backend })}`,
        );
      } else {
        if (human) await presentStep(o, c, typed);
        else await c.solve();
        if (c.stepPassed) {
          passed++;
          o.out(
            `✓ ${human ? stepText(v.lesson, v.step.id, o.lang).title : stepLabel(c)}${v.isReading ? tu(o.lang, 'play_reading_mark') : ''}`,
          );
        } else {
          failed++;
          o.out(`✗ ${label(o.lang, human ? stepText(v.lesson, v.step.id, o.lang).title : stepLabel(c))}${failureReason(c)}`);
        }
      }
      if (same(c.pos, to) || !(await c.next())) break;
    }
  } finally {
    detach();
    await c.close();
  }
  o.out(tu(o.lang, 'play_summary', { passed, failed }));
  if (o.signal?.aborted) return EXIT.interrupted;
  return failed === 0 ? EXIT.ok : EXIT.failed;
}

/** Human pace: read, type the solution out, answer the question, as a presenter would. */
async function presentStep(o: PlayOptions, c: Controller, typed: Set<string>): Promise<void> {
  const v = c.current;
  const pause = (ms: number) => sleep(ms * (o.pauseScale ?? 1), o.signal);
  if (v.isReading) {
    await pause(2500);
    return;
  }
  await pause(1200);
  const quiz = v.step.checks.find((x) => x.type === 'answer');
  if (quiz?.type === 'answer' && quiz.accept?.[0]) {
    await typeOut(o, quiz.accept[0]);
    typed.add(quiz.accept[0]);
    await c.submit(quiz.accept[0], o.signal ? { signal: o.signal } : {});
  } else {
    for (const cmd of v.step.solution) {
      if (o.signal?.aborted) return;
      await typeOut(o, cmd);
      typed.add(cmd);
      await c.submit(cmd, o.signal ? { signal: o.signal } : {});
      await pause(400);
    }
  }
  // Whatever typing could not reach (a debrief, a random breakage's answer) the engine solves.
  if (!c.stepPassed && !o.signal?.aborted) await c.solve();
  await pause(1200);
}

/** Lines of a commands file: blank lines and `#` comments are skipped. */
export function readCommands(file: string, lang: Lang = 'en'): string[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(tcli(lang, 'err_commands_file', { file, message: (e as Error).message }));
  }
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
}

export async function playCommands(o: PlayOptions & { commands: string[]; echo?: boolean }): Promise<number> {
  const { from, to } = range(o.course, o);
  let detach = () => {};
  const c = await openController(o, from, false, (ctl) => {
    if (o.echo) detach = attachTranscript(ctl, { out: o.out, width: o.width ?? 80, stepText: false });
  });
  let completedAll = false;
  let reported = false;
  const advance = async (): Promise<boolean> => {
    if (same(c.pos, to)) {
      completedAll = true;
      return false;
    }
    return c.next();
  };
  try {
    // Reading steps need no input: pass through them until a step that waits for state.
    const skipReading = async (): Promise<boolean> => {
      while (c.current.isReading) {
        o.out(`✓ ${stepLabel(c)}${tu(o.lang, 'play_reading_mark')}`);
        if (!(await advance())) return false;
      }
      return true;
    };
    let going = await skipReading();
    for (const line of o.commands) {
      if (!going || o.signal?.aborted) break;
      const r = await c.submit(line, o.signal ? { signal: o.signal } : {});
      if (!o.echo && r.run?.timedOut) o.out(`  ! ${tu(o.lang, 'cmd_timed_out')}`);
      if (!o.echo && r.kind === 'answer' && !c.stepPassed) o.out(`  ${tu(o.lang, 'play_wrong_answer', { answer: line.trim() })}`);
      if (c.stepPassed) {
        o.out(`✓ ${stepLabel(c)}`);
        going = (await advance()) && (await skipReading());
      }
    }
    if (!completedAll && going && !o.signal?.aborted) {
      o.out(`✗ ${label(o.lang, stepLabel(c))}${failureReason(c)}`);
      reported = true;
    }
  } finally {
    detach();
    await c.close();
  }
  if (!completedAll && !reported) o.out(`✗ ${tu(o.lang, 'play_incomplete')}`);
  o.out(completedAll ? tu(o.lang, 'play_course_complete') : tu(o.lang, 'play_course_incomplete'));
  if (o.signal?.aborted) return EXIT.interrupted;
  return completedAll ? EXIT.ok : EXIT.failed;
}
