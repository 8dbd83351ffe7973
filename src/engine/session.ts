import { evaluateChecks, type CheckResult } from '../checks/evaluate.js';
import { gatherState } from '../checks/state.js';
import type { Lang } from '../i18n/lang.js';
import type { BootPhase, RunOptions, RunResult, Sandbox } from '../sandbox/types.js';
import type { Course, Lesson } from '../course/load.js';
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
import type { ProgressStore } from '../course/progressStore.js';
import type { Step } from '../course/schema.js';
import { stepText } from '../course/texts.js';
import { nextHint } from './hints.js';

// The course engine: one learner, one sandbox, one current step. Everything a front end
// (the ink REPL, `play`, tests) does goes through these methods; none of it knows about a terminal.

/** A command the tutor itself understands, typed as `tutor NAME ...` (e.g. `tutor flow`). */
export interface BuiltinContext {
  sandbox: Sandbox;
  lang: Lang;
  course: Course;
  /** columns of the screen the answer is shown on */
  width: number;
  signal?: AbortSignal;
}
export type Builtin = (args: readonly string[], ctx: BuiltinContext) => Promise<string>;

export interface SessionOptions {
  course: Course;
  makeSandbox: (o?: { onPhase?: (p: BootPhase) => void }) => Promise<Sandbox>;
  store: ProgressStore;
  lang: Lang;
  unlockAll?: boolean;
  builtins?: Record<string, Builtin>;
  /** Random source for troubleshooting steps (tests pass a fixed one). */
  random?: () => number;
  /** Evaluate a step's checks as soon as it opens (the REPL shows the goal); `play` skips it. */
  evaluateOnEntry?: boolean;
}

export type InputKind = 'command' | 'answer' | 'builtin' | 'empty';

export interface SubmitOutcome {
  kind: InputKind;
  run?: RunResult;
  /** text printed by a builtin */
  output?: string;
  checks: CheckResult[];
  /** the step became complete with this input */
  completed: boolean;
}

export interface StepView {
  pos: StepPos;
  lesson: Lesson;
  step: Step;
  key: string;
  isReading: boolean;
  isQuiz: boolean;
}

export interface FastForwardProgress {
  done: number;
  total: number;
  command: string;
}

/** Words that start a command in a quiz step (anything else is taken as an answer). */
const COMMAND_WORDS = new Set(
  'ip sudo ping route tcpdump lsmod modprobe rmmod cat echo sysctl ifconfig ls netstat arp bash sh grep tutor ss tshark dumpcap uname ps true false clear'.split(
    ' ',
  ),
);

export class Session {
  readonly course: Course;
  lang: Lang;
  unlockAll: boolean;
  /** Where each new sandbox reports its boot phases (the REPL's busy line). */
  onBootPhase?: (p: BootPhase) => void;
  private sandbox: Sandbox | null = null;
  private progress: Progress;
  private posValue: StepPos;
  private answered = new Map<string, string>();
  private lastChecks: CheckResult[] = [];
  private givenHints = new Set<string>();
  /** The breakage picked at this step's start (troubleshooting). */
  private picked: { id: string; answer: readonly string[] } | null = null;
  /** The learner has typed or solved something in this step: a state that was already right on entry does not count. */
  private acted = false;
  private readonly opts: SessionOptions;

  constructor(opts: SessionOptions) {
    this.opts = opts;
    this.course = opts.course;
    this.lang = opts.lang;
    this.unlockAll = opts.unlockAll ?? false;
    this.progress = opts.store.load();
    this.posValue = resumePosition(this.course, this.progress);
  }

  // ---- reading state ----
  get pos(): StepPos {
    return this.posValue;
  }
  get current(): StepView {
    return this.view(this.posValue);
  }
  view(pos: StepPos): StepView {
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
  get text() {
    return stepText(this.current.lesson, this.current.step.id, this.lang);
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
  states() {
    return stepStates(this.course, this.progress, this.posValue, this.unlockAll);
  }
  isDone(key = this.current.key): boolean {
    return this.progress.marks[key] !== undefined;
  }
  /** True when the step needs a kernel feature this sandbox lacks (e.g. ipip on a host without it). */
  unavailable(view: StepView = this.current): string | null {
    if (!this.sandbox) return null;
    const needs = view.step.requires;
    const missing = needs.filter((f) => !this.sandbox!.info.features[f]);
    if (missing.length > 0) return missing.join(', ');
    return null;
  }

  // ---- lifecycle ----
  private dispatch(e: ProgressEvent) {
    this.progress = reduce(this.progress, e);
    this.opts.store.save(this.progress);
  }

  /** Make the sandbox and bring it to the state the current step expects. */
  async start(onFF?: (p: FastForwardProgress) => void, signal?: AbortSignal): Promise<void> {
    await this.rebuild(this.posValue, onFF, signal);
  }

  async close(): Promise<void> {
    const sb = this.sandbox;
    this.sandbox = null;
    await sb?.close();
  }

  /**
   * Fresh sandbox, then replay every earlier step's solution ("fast-forward") so the learner
   * lands in exactly the state `pos` expects. An aborted fast-forward leaves the session at the
   * last step whose state was fully rebuilt.
   */
  private async rebuild(pos: StepPos, onFF?: (p: FastForwardProgress) => void, signal?: AbortSignal): Promise<void> {
    await this.close();
    this.sandbox = await this.opts.makeSandbox({ onPhase: this.onBootPhase });
    const before = flatSteps(this.course).filter(
      (s) => s.pos.lesson < pos.lesson || (s.pos.lesson === pos.lesson && s.pos.step < pos.step),
    );
    const commands = before.flatMap((s) => {
      const st = this.view(s.pos).step;
      return [...st.setup, ...st.solution];
    });
    let done = 0;
    // Where to land if the learner stops the fast-forward: the first step not yet replayed.
    let reached: StepPos = before[0]?.pos ?? pos;
    for (const [i, s] of before.entries()) {
      const st = this.view(s.pos).step;
      const cmds = [...st.setup, ...st.solution];
      if (signal?.aborted) {
        await this.moveTo(reached);
        return;
      }
      if (cmds.length > 0) {
        onFF?.({ done, total: commands.length, command: cmds[0]! });
        // One round trip per step: each command still runs as typed (a failing one does not stop the rest).
        await this.sandbox.run(cmds.join('\n'), { signal });
        if (signal?.aborted) {
          // Stopped inside this step: part of it ran and cannot be undone, so rebuild cleanly up to
          // its start (without the signal: this is the short way back to a consistent state).
          await this.rebuild(s.pos, onFF);
          return;
        }
        done += cmds.length;
      }
      reached = before[i + 1]?.pos ?? pos;
    }
    onFF?.({ done, total: commands.length, command: '' });
    await this.moveTo(pos);
  }

  /** Enter a step: remember it, run its setup (and its random breakage), evaluate. */
  private async moveTo(pos: StepPos): Promise<void> {
    this.posValue = pos;
    const v = this.current;
    this.dispatch({ type: 'moved', lesson: v.lesson.id, step: v.step.id });
    this.answered.delete(v.key);
    this.acted = false;
    this.givenHints = new Set();
    this.picked = null;
    for (const cmd of v.step.setup) await this.sandbox!.run(cmd);
    if (v.step.breakOneOf.length > 0) {
      const pick = v.step.breakOneOf[Math.floor((this.opts.random ?? Math.random)() * v.step.breakOneOf.length)]!;
      this.picked = { id: pick.id, answer: pick.answer ?? [] };
      for (const cmd of pick.commands) await this.sandbox!.run(cmd);
    }
    this.lastChecks = [];
    if (!v.isReading && this.opts.evaluateOnEntry !== false) await this.evaluate();
  }

  // ---- the learner's actions ----
  async evaluate(): Promise<CheckResult[]> {
    const v = this.current;
    const checks = v.step.checks;
    const stateChecks = checks.filter((c) => c.type !== 'answer');
    const snap = await gatherState(this.requireSandbox(), stateChecks);
    const answer = this.answered.get(v.key);
    this.lastChecks = evaluateChecks(checks, snap, answer, this.picked?.answer);
    return this.lastChecks;
  }

  /** All checks pass (a reading step always does). */
  get checksPass(): boolean {
    return this.current.isReading || (this.lastChecks.length > 0 && this.lastChecks.every((c) => c.ok));
  }

  /** The step is complete: its checks pass after the learner did something in it. */
  get stepPassed(): boolean {
    return this.current.isReading || (this.acted && this.checksPass);
  }

  classify(input: string): InputKind {
    const t = input.trim();
    if (!t) return 'empty';
    const first = t.split(/\s+/)[0]!;
    if (first === 'tutor') return 'builtin';
    if (this.current.isQuiz && !COMMAND_WORDS.has(first) && !/[|;&><]/.test(t)) return 'answer';
    return 'command';
  }

  /** What the learner typed at the prompt: a command, a quiz answer, or a builtin. */
  async submit(input: string, opts: RunOptions = {}): Promise<SubmitOutcome> {
    const kind = this.classify(input);
    const wasDone = this.stepPassed && !this.current.isReading;
    if (kind === 'empty') return { kind, checks: this.lastChecks, completed: false };
    this.acted = true;
    let run: RunResult | undefined;
    let output: string | undefined;
    if (kind === 'answer') {
      this.answered.set(this.current.key, input.trim());
    } else if (kind === 'builtin') {
      output = await this.runBuiltin(input, opts);
    } else {
      run = await this.requireSandbox().run(input, opts);
    }
    if (this.current.isReading) return { kind, run, output, checks: [], completed: false };
    const checks = await this.evaluate();
    // A wrong quiz answer must not stay recorded as the step's answer.
    if (kind === 'answer' && !checks.find((c) => c.check.type === 'answer')?.ok) this.answered.delete(this.current.key);
    const completed = !wasDone && this.stepPassed;
    if (completed) this.dispatch({ type: 'completed', key: this.current.key });
    return { kind, run, output, checks, completed };
  }

  private async runBuiltin(input: string, opts: RunOptions): Promise<string> {
    const [, name = 'help', ...args] = input.trim().split(/\s+/);
    const builtins = this.opts.builtins ?? {};
    const fn = builtins[name];
    if (!fn) return `tutor: unknown command "${name}". Known: ${Object.keys(builtins).join(', ') || '(none)'}`;
    return fn(args, {
      sandbox: this.requireSandbox(),
      lang: this.lang,
      course: this.course,
      width: 80,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  /** Run the step's solution for the learner ("solve"), streaming each command. */
  async solve(onCommand?: (cmd: string) => void, opts: RunOptions = {}): Promise<SubmitOutcome> {
    const v = this.current;
    const wasDone = this.stepPassed && !v.isReading;
    this.acted = true;
    let last: RunResult | undefined;
    for (const cmd of v.step.solution) {
      onCommand?.(cmd);
      last = await this.requireSandbox().run(cmd, opts);
      if (opts.signal?.aborted) break;
    }
    const quiz = v.step.checks.find((c) => c.type === 'answer');
    const accepted = quiz?.type === 'answer' ? (quiz.fromBreak ? this.picked?.answer : quiz.accept) : undefined;
    if (accepted?.[0]) this.answered.set(v.key, accepted[0]);
    if (v.isReading) {
      this.dispatch({ type: 'completed', key: v.key });
      return { kind: 'command', run: last, checks: [], completed: true };
    }
    const checks = await this.evaluate();
    const completed = !wasDone && this.stepPassed;
    if (this.stepPassed) this.dispatch({ type: 'completed', key: v.key });
    return { kind: 'command', run: last, checks, completed };
  }

  /** The next graduated hint (engine/hints.ts), or null when every hint of this state was given. */
  nextHint(): ReturnType<typeof nextHint> {
    const v = this.current;
    const h = nextHint({ step: v.step, text: this.text, checks: this.lastChecks, mistake: null, given: this.givenHints });
    if (!h) return null;
    this.givenHints.add(h.hint.key);
    this.dispatch({ type: 'hint', key: v.key });
    return h;
  }

  /** Move on after the step passed (or a reading step was read). Returns false at the end. */
  async next(): Promise<boolean> {
    const v = this.current;
    if (v.isReading && !this.isDone()) this.dispatch({ type: 'completed', key: v.key });
    const flat = flatSteps(this.course);
    const i = flat.findIndex((s) => s.key === v.key);
    const nxt = flat[i + 1];
    if (!nxt) return false;
    await this.moveTo(nxt.pos);
    return true;
  }

  /** Give up on a step: mark it skipped, replay its solution, move on. */
  async skip(onCommand?: (cmd: string) => void): Promise<boolean> {
    const v = this.current;
    for (const cmd of v.step.solution) {
      onCommand?.(cmd);
      await this.requireSandbox().run(cmd);
    }
    if (!this.isDone(v.key) || this.progress.marks[v.key] !== 'done') this.dispatch({ type: 'skipped', key: v.key });
    return this.next();
  }

  canJump(pos: StepPos): boolean {
    const st = this.states()[pos.lesson]?.[pos.step];
    return st !== undefined && st !== 'locked';
  }

  /** Jump to any unlocked step; the sandbox is rebuilt to that step's starting state. */
  async jump(pos: StepPos, onFF?: (p: FastForwardProgress) => void, signal?: AbortSignal): Promise<boolean> {
    if (!this.canJump(pos)) return false;
    await this.rebuild(pos, onFF, signal);
    return true;
  }

  /** Undo a step gone wrong: rebuild the sandbox to this step's starting state. */
  async restartStep(onFF?: (p: FastForwardProgress) => void, signal?: AbortSignal): Promise<void> {
    await this.rebuild(this.posValue, onFF, signal);
  }

  resetProgress(lessonId?: string): void {
    this.dispatch(lessonId ? { type: 'reset-lesson', lesson: lessonId } : { type: 'reset-all' });
  }

  private requireSandbox(): Sandbox {
    if (!this.sandbox) throw new Error('session not started');
    return this.sandbox;
  }
}
