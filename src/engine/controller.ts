import { matchAnswer } from '../checks/answer.js';
import { checkState, type CheckOutcome } from '../checks/checkState.js';
import type { CheckResult } from '../checks/evaluate.js';
import type { Course } from '../course/load.js';
import {
  flatSteps,
  reduce,
  resumePosition,
  stepKey,
  stepStates,
  type Progress,
  type ProgressEvent,
  type StepPos,
} from '../course/progress.js';
import type { Step, StepText } from '../course/schema.js';
import { stepText } from '../course/texts.js';
import type { Lang } from '../i18n/lang.js';
import { tu } from '../i18n/uiMessages.js';
import { SandboxError, type Feature, type RunOptions, type RunResult, type Sandbox } from '../sandbox/types.js';
import { describeError } from './errors.js';
import type { CommandRun, CompletedHow, EngineEvent, Tone, UiMsg } from './events.js';
import { goalOf } from './goal.js';
import { nextHint, type RecognisedMistake } from './hints.js';
import { recognise } from './mistakes.js';
import { freshStep, learnerEvidence, pingNamespaces, recordEnginePings, type StepState } from './stepState.js';
import type { ControllerOptions, FastForwardProgress, StepView, SubmitOutcome } from './types.js';

import { ActionQueue, Stopped } from './actionQueue.js';
import { classifyInput } from './input.js';
import { initialView, reduceView, type EngineView } from './view.js';
import { WarmSpare } from './warmSpare.js';

// The course engine: one learner, one sandbox, one current step. Every learner action is a
// method; every change is an event on one stream, reduced to a view (view.ts). Actions run one
// at a time in the order they were asked for (type-ahead is kept, never lost); Ctrl-C stops the
// running one and drops what was waiting. No front end holds a course rule: hints, answers,
// mistakes, evidence and completion are all decided here.
const OUTPUT_FLUSH_MS = 50;

export class Controller {
  readonly course: Course;
  private langValue: Lang;
  private unlockAll: boolean;
  private sandbox: Sandbox | null = null;
  private progress: Progress;
  private posValue: StepPos;
  private st: StepState = freshStep();
  private lastChecks: CheckResult[] = [];
  private viewValue: EngineView;
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly queue = new ActionQueue({
    onQueue: (lines) => this.emit({ type: 'queue', lines }),
    onError: (e) => this.fail(e),
    onIdle: () => this.emit({ type: 'busy', busy: null }),
  });
  private gateValue: number | null = null;
  private readonly opts: ControllerOptions;
  private readonly spare: WarmSpare | null;

  constructor(opts: ControllerOptions) {
    this.opts = opts;
    this.course = opts.course;
    this.langValue = opts.lang;
    this.unlockAll = opts.unlockAll ?? false;
    this.progress = opts.store.load();
    this.posValue = resumePosition(this.course, this.progress);
    this.viewValue = initialView({ lang: this.langValue, pos: this.posValue, key: this.current.key });
    this.spare = opts.warmSpare
      ? new WarmSpare(
          () => this.opts.makeSandbox(),
          (from, to) => this.replayBetween(from, to),
        )
      : null;
  }

  // ---- the event stream ----

  /** Every event, in order. Returns the unsubscribe function. */
  subscribe = (listener: (e: EngineEvent) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The reduced view; the same object until the next event (for useSyncExternalStore). */
  getView = (): EngineView => this.viewValue;

  private emit(e: EngineEvent): void {
    this.viewValue = reduceView(this.viewValue, e);
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // a front end's listener must not break the engine
      }
    }
  }

  private note(key: UiMsg['key'], params?: UiMsg['params'], tone?: Tone): void {
    this.emit({ type: 'note', msg: { key, ...(params ? { params } : {}) }, ...(tone ? { tone } : {}) });
  }

  // ---- reading state ----

  get lang(): Lang {
    return this.langValue;
  }
  get pos(): StepPos {
    return this.posValue;
  }
  get current(): StepView {
    return this.stepView(this.posValue);
  }
  stepView(pos: StepPos): StepView {
    const lesson = this.course.lessons[pos.lesson]!;
    const step = lesson.def.steps[pos.step]!;
    return {
      pos,
      lesson,
      step,
      key: stepKey(lesson.id, step.id),
      isReading: step.checks.length === 0,
      isQuiz: step.checks.some((c) => c.type === 'answer'),
    };
  }
  get text(): StepText {
    return stepText(this.current.lesson, this.current.step.id, this.langValue);
  }
  get progressState(): Progress {
    return this.progress;
  }
  get checks(): CheckResult[] {
    return this.lastChecks;
  }
  get box(): Sandbox | null {
    return this.sandbox;
  }
  get busy(): boolean {
    return this.queue.busy;
  }
  states() {
    const st = stepStates(this.course, this.progress, this.posValue, this.unlockAll);
    if (this.gateValue === null) return st;
    return st.map((row, li) => (li > this.gateValue! ? row.map((s) => (s === 'current' ? s : 'locked')) : row));
  }
  isDone(key = this.current.key): boolean {
    return this.progress.marks[key] !== undefined;
  }
  /** Kernel features the step needs and this sandbox lacks (e.g. ipip on a host without it). */
  unavailable(view: StepView = this.current): Feature[] {
    if (!this.sandbox) return [];
    return view.step.requires.filter((f) => !this.sandbox!.info.features[f]);
  }
  /** All checks pass (a reading step always does). */
  get checksPass(): boolean {
    return this.current.isReading || (this.lastChecks.length > 0 && this.lastChecks.every((c) => c.ok));
  }
  /** The step is complete: its goal holds, by the learner's own doing, and its debrief is answered. */
  get stepPassed(): boolean {
    return this.current.isReading || this.st.completed;
  }

  // ---- running actions one at a time (actionQueue.ts) ----

  private act<T>(fn: (signal: AbortSignal) => Promise<T>, fallback: T, line?: string): Promise<T> {
    return this.queue.run(fn, fallback, line);
  }

  /** A broken sandbox (or a bug) becomes a message and the session goes on. */
  private fail(e: unknown): void {
    if (e instanceof SandboxError) this.emit({ type: 'runtime-error', ...e.in(this.langValue) });
    else this.emit({ type: 'runtime-error', message: describeError(e, this.langValue).text });
  }

  /** Ctrl-C: stop what runs, forget what was typed ahead. */
  interrupt(): void {
    this.queue.interrupt();
  }

  // ---- lifecycle ----

  private dispatch(e: ProgressEvent): void {
    this.progress = reduce(this.progress, e);
    this.opts.store.save(this.progress);
  }

  /** Make the sandbox and bring it to the state the current step expects. */
  start(onFF?: (p: FastForwardProgress) => void, external?: AbortSignal): Promise<void> {
    return this.act(async (signal) => {
      try {
        await this.rebuild(this.posValue, anySignal(signal, external), onFF);
      } catch (e) {
        if (this.sandbox === null && !(e instanceof Stopped)) {
          const d = describeError(e, this.langValue);
          this.emit({
            type: 'failed',
            failure:
              e instanceof SandboxError
                ? { ...e.in(this.langValue), ...(e.log ? { log: e.log } : {}), code: 3 }
                : { message: d.text, code: d.code },
          });
          return;
        }
        throw e;
      }
    }, undefined);
  }

  async close(): Promise<void> {
    this.queue.close();
    const sb = this.sandbox;
    this.sandbox = null;
    await Promise.all([sb?.close(), this.spare?.close()]);
    this.emit({ type: 'closed' });
  }

  private async closeSandbox(): Promise<void> {
    const sb = this.sandbox;
    this.sandbox = null;
    await sb?.close();
  }

  /**
   * Fresh sandbox, then replay every earlier step's solution ("fast-forward") so the learner
   * lands in exactly the state `pos` expects. Stopped between steps, it lands on the first step
   * not yet replayed; stopped inside a step, it rebuilds cleanly up to that step's start.
   */
  private async rebuild(pos: StepPos, signal: AbortSignal, onFF?: (p: FastForwardProgress) => void, stopped = false): Promise<void> {
    await this.closeSandbox();
    this.emit({ type: 'busy', busy: { kind: 'boot' } });
    // A warm spare already at (or before) this step's start saves the boot and part of the replay.
    const spare = stopped ? null : ((await this.spare?.take(pos)) ?? null);
    this.sandbox = spare?.sandbox ?? (await this.opts.makeSandbox({ onPhase: (p) => this.emit({ type: 'phase', phase: p.phase }) }));
    this.emit({ type: 'ready', backend: this.sandbox.info.backend });
    const from = spare?.at;
    const before = flatSteps(this.course).filter(
      (s) =>
        (s.pos.lesson < pos.lesson || (s.pos.lesson === pos.lesson && s.pos.step < pos.step)) &&
        (!from || s.pos.lesson > from.lesson || (s.pos.lesson === from.lesson && s.pos.step >= from.step)),
    );
    const total = before.reduce((n, s) => n + this.replayOf(s.pos).length, 0);
    let done = 0;
    let reached: StepPos = before[0]?.pos ?? pos;
    const progress = (command: string) => {
      const p = { done, total, command };
      onFF?.(p);
      this.emit({ type: 'busy', busy: { kind: 'ff', ...p } });
    };
    for (const [i, s] of before.entries()) {
      const cmds = this.replayOf(s.pos);
      if (signal.aborted) return this.moveTo(reached, 'stopped');
      if (cmds.length > 0) {
        progress(cmds[0]!);
        // One round trip per step: each command still runs as typed (a failing one does not stop the rest).
        await this.sandbox.run(cmds.join('\n'), { signal });
        if (signal.aborted) {
          // Part of this step ran and cannot be undone: the short way back to a consistent state.
          return this.rebuild(s.pos, new AbortController().signal, onFF, true);
        }
        done += cmds.length;
      }
      reached = before[i + 1]?.pos ?? pos;
    }
    progress('');
    await this.moveTo(pos, stopped ? 'stopped' : 'entered');
  }

  /** One command string per step from `from` (or the first) up to, not including, `to`: what a spare replays. */
  private replayBetween(from: StepPos | null, to: StepPos): string[] {
    const le = (a: StepPos, b: StepPos) => a.lesson < b.lesson || (a.lesson === b.lesson && a.step <= b.step);
    return flatSteps(this.course)
      .filter((s) => (!from || le(from, s.pos)) && le(s.pos, to) && !(s.pos.lesson === to.lesson && s.pos.step === to.step))
      .map((s) => this.replayOf(s.pos))
      .filter((c) => c.length > 0)
      .map((c) => c.join('\n'));
  }

  private replayOf(pos: StepPos): string[] {
    const st = this.stepView(pos).step;
    return [...st.setup, ...st.solution];
  }

  /** Enter a step: remember it, run its setup (and its random breakage), evaluate. */
  private async moveTo(pos: StepPos, how: 'entered' | 'stopped'): Promise<void> {
    this.posValue = pos;
    const v = this.current;
    this.dispatch({ type: 'moved', lesson: v.lesson.id, step: v.step.id });
    this.st = freshStep();
    this.lastChecks = [];
    const unavailable = this.unavailable(v);
    this.emit({ type: 'step-entered', pos, key: v.key, unavailable });
    if (how === 'stopped') this.note('ui_ff_stopped', { step: this.text.title }, 'warn');
    const sb = this.requireSandbox();
    for (const cmd of v.step.setup) await sb.run(cmd);
    if (v.step.breakOneOf.length > 0) {
      const pick = v.step.breakOneOf[Math.floor((this.opts.random ?? Math.random)() * v.step.breakOneOf.length)]!;
      this.st.picked = { id: pick.id, answer: pick.answer ?? [] };
      for (const cmd of pick.commands) await sb.run(cmd);
    }
    if (!v.isReading && unavailable.length === 0 && this.opts.evaluateOnEntry !== false) await this.evaluate(true);
    // Only where a boot is slow is a spare worth its memory.
    if (sb.info.backend === 'uml') this.spare?.prepare(pos);
  }

  // ---- checks ----

  /** Evaluate the step's checks, recognise a declared mistake, decide completion; emit it all. */
  private async evaluate(entry = false): Promise<CheckResult[]> {
    const v = this.current;
    const sb = this.requireSandbox();
    const pingNs = pingNamespaces(v.step);
    const signatures = v.step.mistakes.flatMap((m) => m.signature ?? []);
    const outcome = await checkState(sb, v.step.checks, {
      ...(this.st.answered !== undefined ? { answer: this.st.answered } : {}),
      ...(this.st.picked ? { fromBreak: this.st.picked.answer } : {}),
      ...(pingNs.length > 0 && (entry || this.st.heldOnEntry) ? { echoes: pingNs } : {}),
      extra: signatures,
    });
    this.lastChecks = outcome.results;
    const stateOk = outcome.results.filter((r) => r.check.type !== 'answer').every((r) => r.ok);
    if (entry) {
      this.st.heldOnEntry = outcome.results.some((r) => r.check.type !== 'answer') && stateOk;
      this.st.echoBase = { ...outcome.snapshot.echoesSent };
    }
    recordEnginePings(this.st, v.step, outcome);
    const matched = recognise(v.step, this.text, outcome);
    const mistake = outcome.results.some((r) => !r.ok) ? matched : null;
    const decision = this.decide(v, outcome, stateOk);
    this.emit({
      type: 'checks',
      results: outcome.results,
      goal: goalOf(v.step, outcome.results, this.st.completed || decision === 'complete'),
      passed: this.st.completed || decision === 'complete',
      mistake,
      debrief: this.st.debrief && !this.st.completed,
    });
    // The checks first, then what they decided: a transcript reads in that order.
    if (decision === 'debrief') this.note('ui_debrief_ask', { question: this.text.debrief ?? '' }, 'hint');
    if (decision === 'complete') this.complete(v, 'done', matched);
    return outcome.results;
  }

  private decide(v: StepView, o: CheckOutcome, stateOk: boolean): 'complete' | 'debrief' | null {
    if (this.st.completed) return null;
    const allOk = o.results.every((r) => r.ok);
    if (!allOk || !this.st.acted || !learnerEvidence(this.st, v.step, o)) return null;
    if (v.step.debrief && !this.st.debriefAnswered) {
      if (stateOk && !this.st.debrief) {
        this.st.debrief = true;
        return 'debrief';
      }
      return null;
    }
    return 'complete';
  }

  private complete(v: StepView, how: CompletedHow, leftover: RecognisedMistake | null = null): void {
    if (this.st.completed) return;
    this.st.completed = true;
    if (how === 'skipped') this.dispatch({ type: 'skipped', key: v.key });
    else this.dispatch({ type: 'completed', key: v.key });
    this.emit({ type: 'completed', key: v.key, pos: v.pos, how });
    // The step's own checks hold, but a declared mistake is still in the state (a route also
    // typed in the wrong namespace): say so now, not when a later step breaks on it.
    if (leftover) this.note('ui_mistake_left', { text: leftover.text, repair: leftover.repair.join('; ') }, 'warn');
    if (v.pos.step === v.lesson.def.steps.length - 1) this.emit({ type: 'lesson-done', lesson: v.pos.lesson });
  }

  /** Evaluate the current step's checks now (the benchmark's measure; front ends never need it). */
  check(): Promise<CheckResult[]> {
    return this.act(() => this.evaluate(), []);
  }

  // ---- the learner's actions ----

  /** What the learner typed at the prompt; queued behind whatever is running. */
  submit(input: string, opts: Pick<RunOptions, 'signal' | 'timeoutMs' | 'maxOutputBytes'> = {}): Promise<SubmitOutcome> {
    const limits = {
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.maxOutputBytes ? { maxOutputBytes: opts.maxOutputBytes } : {}),
    };
    return this.act((signal) => this.doSubmit(input, anySignal(signal, opts.signal), limits), { kind: 'empty', completed: false }, input);
  }

  private async doSubmit(
    input: string,
    signal: AbortSignal,
    limits: Pick<RunOptions, 'timeoutMs' | 'maxOutputBytes'> = {},
  ): Promise<SubmitOutcome> {
    const v = this.current;
    const wasDone = this.st.completed;
    const quizAccepts = this.activeAnswers(v);
    const kind = await classifyInput(input, {
      accepts: quizAccepts,
      isCommand: (word) => this.isCommandWord(word),
    });
    if (kind === 'empty') {
      await this.doEnter(signal);
      return { kind, completed: false };
    }
    this.st.acted = true;
    if (kind === 'answer') return this.answer(v, input.trim());
    if (kind === 'builtin') {
      const output = await this.runBuiltin(input, signal);
      this.emit({
        type: 'command',
        run: { command: input, output, exitCode: 0, interrupted: signal.aborted, timedOut: false, truncated: false, byTutor: false },
      });
      if (!v.isReading && !this.st.completed) await this.evaluate();
      return { kind, completed: !wasDone && this.st.completed };
    }
    return this.runLine(input, signal, wasDone, limits);
  }

  private async runLine(
    input: string,
    signal: AbortSignal,
    wasDone: boolean,
    limits: Pick<RunOptions, 'timeoutMs' | 'maxOutputBytes'>,
  ): Promise<SubmitOutcome> {
    const v = this.current;
    const run = await this.runCommand(input, signal, false, limits);
    if (!v.isReading && !this.st.completed) await this.evaluate();
    return { kind: 'command', run, completed: !wasDone && this.st.completed };
  }

  /** The answers the prompt takes now: the quiz's, or the debrief's once the checks pass. */
  private activeAnswers(v: StepView): readonly string[] | null {
    const quiz = v.step.checks.find((c) => c.type === 'answer');
    if (quiz?.type === 'answer') return quiz.fromBreak ? (this.st.picked?.answer ?? []) : (quiz.accept ?? []);
    if (this.st.debrief && !this.st.completed && v.step.debrief) {
      const d = v.step.debrief;
      return d.fromBreak ? (this.st.picked?.answer ?? []) : (d.accept ?? []);
    }
    return null;
  }

  private async answer(v: StepView, text: string): Promise<SubmitOutcome> {
    const wasDone = this.st.completed;
    if (this.st.debrief && v.step.debrief) {
      const ok = matchAnswer(text, this.activeAnswers(v) ?? []) !== undefined;
      this.emit({ type: 'answered', answer: text, ok });
      if (ok) {
        this.st.debriefAnswered = true;
        const broke = this.st.picked ? this.text.breaks[this.st.picked.id] : undefined;
        if (broke) this.note('ui_plain', { text: broke }, 'ok');
        this.complete(v, 'done');
      } else this.giveHint(true);
      return { kind: 'answer', completed: !wasDone && this.st.completed };
    }
    const ok = matchAnswer(text, this.activeAnswers(v) ?? []) !== undefined;
    this.emit({ type: 'answered', answer: text, ok });
    this.st.answered = text;
    await this.evaluate();
    // A wrong answer must not stay recorded as the step's answer; it earns the next hint.
    if (!ok) {
      this.st.answered = undefined;
      this.giveHint(true);
    }
    return { kind: 'answer', completed: !wasDone && this.st.completed };
  }

  private async isCommandWord(word: string): Promise<boolean> {
    const sb = this.sandbox;
    if (!sb) return false;
    const [r] = await sb.query([['bash', '-c', 'type -t -- "$1" >/dev/null 2>&1', '_', word]], { timeoutMs: 5000 });
    return r?.exitCode === 0;
  }

  private async runCommand(
    command: string,
    signal: AbortSignal,
    byTutor: boolean,
    limits: Pick<RunOptions, 'timeoutMs' | 'maxOutputBytes'> = {},
  ): Promise<RunResult> {
    this.emit({ type: 'busy', busy: { kind: byTutor ? 'solve' : 'run', command, output: '' } });
    let pending = '';
    // stdout and stderr in the order they came, as a terminal shows them (an error between two
    // lines of output stays there); the sandbox's own notes are not streamed, see below
    let streamed = '';
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      timer = null;
      if (pending) this.emit({ type: 'output', chunk: pending });
      pending = '';
    };
    const opts: RunOptions = {
      ...limits,
      signal,
      onOutput: (chunk) => {
        pending += chunk;
        streamed += chunk;
        timer ??= setTimeout(flush, OUTPUT_FLUSH_MS);
      },
    };
    const run = await this.requireSandbox().run(command, opts);
    if (timer) clearTimeout(timer);
    flush();
    const item: CommandRun = {
      command,
      output: streamed.length === run.stdout.length + run.stderr.length ? streamed : run.stdout + run.stderr,
      exitCode: run.exitCode,
      interrupted: run.interrupted,
      timedOut: run.timedOut,
      truncated: run.truncated,
      byTutor,
    };
    this.emit({ type: 'command', run: item });
    return run;
  }

  private async runBuiltin(input: string, signal: AbortSignal): Promise<string> {
    const [, name = 'help', ...args] = input.trim().split(/\s+/);
    const builtins = this.opts.builtins ?? {};
    const fn = builtins[name];
    if (!fn) return `tutor: unknown command "${name}". Known: ${Object.keys(builtins).join(', ') || '(none)'}`;
    this.emit({ type: 'busy', busy: { kind: 'run', command: input, output: '' } });
    return fn(args, {
      sandbox: this.requireSandbox(),
      lang: this.langValue,
      course: this.course,
      width: this.opts.width?.() ?? 80,
      signal,
    });
  }

  /** Enter on an empty line: the next step once this one is done. */
  enter(): Promise<void> {
    return this.act((signal) => this.doEnter(signal), undefined);
  }

  private async doEnter(_signal: AbortSignal): Promise<void> {
    if (this.viewValue.courseDone) return;
    const v = this.current;
    if (v.isReading || this.st.completed) {
      await this.doNext();
      return;
    }
    if (this.unavailable().length > 0) this.note('ui_unavailable_enter', undefined, 'warn');
    else if (this.st.debrief) this.note('ui_debrief_ask', { question: this.text.debrief ?? '' }, 'hint');
  }

  /** The next graduated hint (hints.ts). */
  hint(): Promise<void> {
    return this.act(async () => {
      if (this.current.isReading) return this.note('ui_nothing_to_solve', undefined, 'dim');
      this.giveHint(false);
    }, undefined);
  }

  private giveHint(afterWrongAnswer: boolean): void {
    const v = this.current;
    const quiz = v.isQuiz || this.st.debrief;
    const mistake = this.viewValue.mistake;
    const text = this.text;
    const step: Step =
      this.st.debrief && v.step.debrief
        ? { ...v.step, checks: [{ ...v.step.debrief, id: v.step.debrief.id ?? 'debrief' }], solution: [] }
        : v.step;
    const h = nextHint({ step, text, checks: this.lastChecks, mistake, given: this.st.given });
    if (!h) {
      if (!afterWrongAnswer) this.emit({ type: 'no-hints', quiz });
      return;
    }
    this.st.given.add(h.hint.key);
    this.dispatch({ type: 'hint', key: v.key });
    this.emit({ type: 'hint', ...h });
  }

  /** Run the step's solution for the learner ("solve"). */
  solve(onCommand?: (cmd: string) => void): Promise<SubmitOutcome> {
    return this.act((signal) => this.doSolve(signal, onCommand), { kind: 'command', completed: false });
  }

  private async doSolve(signal: AbortSignal, onCommand?: (cmd: string) => void): Promise<SubmitOutcome> {
    const v = this.current;
    if (v.isReading) {
      this.note('ui_nothing_to_solve', undefined, 'dim');
      return { kind: 'command', completed: false };
    }
    if (this.st.completed) {
      this.note('ui_already_done', undefined, 'ok');
      return { kind: 'command', completed: false };
    }
    if (this.st.offerRestart) {
      // The state was beyond what the solution can repair: start the step afresh, then solve.
      await this.rebuild(this.posValue, signal);
      this.note('ui_restarted', { title: this.text.title }, 'warn');
      return this.doSolve(signal, onCommand);
    }
    this.st.acted = true;
    let last: RunResult | undefined;
    // A recognised mistake is undone first: the solution alone often cannot repair it (File exists).
    const mistake = this.viewValue.mistake;
    if (mistake) {
      for (const cmd of mistake.repair) {
        onCommand?.(cmd);
        last = await this.runCommand(cmd, signal, true);
        if (signal.aborted) throw new Stopped();
      }
      await this.evaluate();
      if (this.st.completed) return { kind: 'command', run: last, completed: true };
    }
    for (const cmd of v.step.solution) {
      onCommand?.(cmd);
      last = await this.runCommand(cmd, signal, true);
      if (signal.aborted) throw new Stopped();
    }
    const quiz = v.step.checks.find((c) => c.type === 'answer');
    const accepted = quiz?.type === 'answer' ? (quiz.fromBreak ? this.st.picked?.answer : quiz.accept) : undefined;
    if (accepted?.[0]) {
      this.st.answered = accepted[0];
      this.emit({ type: 'answered', answer: accepted[0], ok: true });
    }
    await this.evaluate();
    if (!this.st.completed && this.st.debrief && v.step.debrief) {
      const d = v.step.debrief;
      const a = d.fromBreak ? this.st.picked?.answer[0] : d.accept?.[0];
      if (a) await this.answer(v, a);
    }
    if (!this.st.completed && this.checksPass) this.complete(v, 'solved');
    if (!this.st.completed) {
      this.st.offerRestart = true;
      this.note('ui_solve_cannot_repair', undefined, 'warn');
    }
    return { kind: 'command', ...(last ? { run: last } : {}), completed: this.st.completed };
  }

  /** Move on after the step passed (or a reading step was read). Resolves false at the end. */
  next(): Promise<boolean> {
    return this.act(() => this.doNext(), false);
  }

  private async doNext(): Promise<boolean> {
    const v = this.current;
    if (v.isReading && !this.st.completed) this.complete(v, 'done');
    const flat = flatSteps(this.course);
    const i = flat.findIndex((s) => s.key === v.key);
    const nxt = flat[i + 1];
    if (!nxt) {
      this.emit({ type: 'course-done' });
      return false;
    }
    if (this.gateValue !== null && nxt.pos.lesson > this.gateValue && !this.unlockAll) {
      this.note('ui_gate_held', { lesson: this.gateValue + 1 }, 'warn');
      return false;
    }
    await this.moveTo(nxt.pos, 'entered');
    return true;
  }

  /** Give up on a step: mark it skipped, replay its solution, move on. */
  skip(onCommand?: (cmd: string) => void): Promise<boolean> {
    return this.act(async (signal) => {
      const v = this.current;
      const title = this.text.title;
      for (const cmd of v.step.solution) {
        onCommand?.(cmd);
        await this.runCommand(cmd, signal, true);
      }
      if (this.progress.marks[v.key] !== 'done') this.complete(v, 'skipped');
      this.note('ui_skipped', { title }, 'warn');
      return this.doNext();
    }, false);
  }

  canJump(pos: StepPos): boolean {
    const st = this.states()[pos.lesson]?.[pos.step];
    return st !== undefined && st !== 'locked';
  }

  /** Jump to any unlocked step; the sandbox is rebuilt to that step's starting state. */
  jump(pos: StepPos, onFF?: (p: FastForwardProgress) => void, external?: AbortSignal): Promise<boolean> {
    return this.act(async (signal) => {
      if (!this.canJump(pos)) {
        this.note('ui_menu_locked', undefined, 'warn');
        return false;
      }
      await this.rebuild(pos, anySignal(signal, external), onFF);
      return true;
    }, false);
  }

  /** Undo a step gone wrong: rebuild the sandbox to this step's starting state. */
  restart(onFF?: (p: FastForwardProgress) => void, external?: AbortSignal): Promise<void> {
    return this.act(async (signal) => {
      await this.rebuild(this.posValue, anySignal(signal, external), onFF);
      this.note('ui_restarted', { title: this.text.title }, 'warn');
    }, undefined);
  }

  setLang(lang: Lang): void {
    if (lang === this.langValue) return;
    this.langValue = lang;
    this.emit({ type: 'lang', lang });
  }

  // ---- the classroom ----

  /** The furthest lesson (index) the class may open, or null for none. */
  setGate(lesson: number | null): void {
    this.gateValue = lesson;
    this.emit({ type: 'gate', lesson });
  }

  broadcast(text: string): void {
    this.emit({ type: 'broadcast', text });
  }

  /** The learner asks the instructor for help, or takes the request back (a classroom reporter forwards it). */
  raiseHand(raised = !this.viewValue.hand, byInstructor = false): void {
    this.emit({ type: 'hand', raised, ...(byInstructor ? { byInstructor } : {}) });
  }

  /** A one-line message from outside the course (the classroom: what is shared, connection state). */
  notify(key: UiMsg['key'], params?: UiMsg['params'], tone?: Tone): void {
    this.note(key, params, tone);
  }

  private requireSandbox(): Sandbox {
    if (!this.sandbox) throw new SandboxError(tu(this.langValue, 'err_no_sandbox'), tu(this.langValue, 'err_no_sandbox_fix'));
    return this.sandbox;
  }
}

/** A signal that aborts when either does. */
function anySignal(a: AbortSignal, b?: AbortSignal): AbortSignal {
  return b ? AbortSignal.any([a, b]) : a;
}
