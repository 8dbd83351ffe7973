import type { Course, Lesson } from '../course/load.js';
import type { ProgressStore } from '../course/progressStore.js';
import type { StepPos } from '../course/progress.js';
import type { Step } from '../course/schema.js';
import type { Lang } from '../i18n/lang.js';
import type { BootPhase, RunResult, Sandbox } from '../sandbox/types.js';
import type { InputKind } from './input.js';

// The engine's option and result types, shared by the controller and its front ends.
export interface BuiltinContext {
  sandbox: Sandbox;
  lang: Lang;
  course: Course;
  /** columns of the screen the answer is shown on */
  width: number;
  signal?: AbortSignal;
}
/** A command the tutor itself understands, typed as `tutor NAME ...` (e.g. `tutor flow`). */
export type Builtin = (args: readonly string[], ctx: BuiltinContext) => Promise<string>;

export interface ControllerOptions {
  course: Course;
  makeSandbox: (o?: { onPhase?: (p: BootPhase) => void }) => Promise<Sandbox>;
  store: ProgressStore;
  lang: Lang;
  unlockAll?: boolean;
  builtins?: Record<string, Builtin>;
  /** Random source for troubleshooting steps (tests pass a fixed one). */
  random?: () => number;
  /** Evaluate a step's checks as soon as it opens (the REPL shows the goal); `play --auto` skips it. */
  evaluateOnEntry?: boolean;
  /** Columns the front end shows command output in (for builtins that draw). */
  width?: () => number;
  /** Keep a second sandbox ready at the current step's start where boots are slow (warmSpare.ts). */
  warmSpare?: boolean;
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

export interface SubmitOutcome {
  kind: InputKind;
  run?: RunResult;
  /** the step became complete with this input */
  completed: boolean;
}
