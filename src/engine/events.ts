import type { CheckResult } from '../checks/evaluate.js';
import type { StepPos } from '../course/progress.js';
import type { UiMessageKey } from '../i18n/uiMessages.js';
import type { Lang } from '../i18n/lang.js';
import type { BackendName, Feature } from '../sandbox/types.js';
import type { Hint, RecognisedMistake } from './hints.js';

// Everything the engine does, as one typed stream. Front ends (the ink REPL, `play`, the
// classroom reporter, the browser lab) subscribe and never ask the engine how to decide
// anything: a pure reducer (view.ts) turns the stream into what a screen shows.

/** A message of the interface catalog, rendered in the reader's language. */
export interface UiMsg {
  key: UiMessageKey;
  params?: Record<string, string | number>;
}

export type Tone = 'ok' | 'bad' | 'warn' | 'dim' | 'hint';

/** What the engine is doing right now. */
export type Busy =
  | { kind: 'boot'; phase?: string }
  | { kind: 'ff'; done: number; total: number; command: string; phase?: string }
  | { kind: 'run'; command: string; output: string }
  | { kind: 'solve'; command: string; output: string }
  | { kind: 'work' };

export interface CommandRun {
  command: string;
  /** stdout and stderr as they came, already capped by the sandbox */
  output: string;
  exitCode: number | null;
  interrupted: boolean;
  timedOut: boolean;
  truncated: boolean;
  /** run by the tutor (solve, skip), not typed */
  byTutor: boolean;
}

export interface Failure {
  message: string;
  fix?: string;
  log?: string;
  /** the exit code a command-line front end ends with */
  code: number;
}

export type CompletedHow = 'done' | 'solved' | 'skipped';

export type EngineEvent =
  | { type: 'phase'; phase: string }
  | { type: 'busy'; busy: Busy | null }
  | { type: 'output'; chunk: string }
  | { type: 'ready'; backend: BackendName }
  | { type: 'failed'; failure: Failure }
  | { type: 'step-entered'; pos: StepPos; key: string; unavailable: Feature[] }
  | { type: 'command'; run: CommandRun }
  | { type: 'answered'; answer: string; ok: boolean }
  | {
      type: 'checks';
      results: CheckResult[];
      /** what the goal panel may show of them (goal.ts) */
      goal: CheckResult[];
      passed: boolean;
      mistake: RecognisedMistake | null;
      debrief: boolean;
    }
  | { type: 'hint'; hint: Hint; n: number; total: number }
  | { type: 'no-hints'; quiz: boolean }
  | { type: 'completed'; key: string; pos: StepPos; how: CompletedHow }
  | { type: 'lesson-done'; lesson: number }
  | { type: 'course-done' }
  | { type: 'note'; msg: UiMsg; tone?: Tone }
  | { type: 'runtime-error'; message: string; fix?: string }
  | { type: 'lang'; lang: Lang }
  | { type: 'queue'; lines: string[] }
  | { type: 'gate'; lesson: number | null }
  | { type: 'broadcast'; text: string }
  /** the learner asked for help (or took it back) */
  | { type: 'hand'; raised: boolean; byInstructor?: boolean }
  | { type: 'closed' };

/** What a front end prints, in order: the finished part of the screen. */
export type LogItem =
  | { seq: number; kind: 'step'; pos: StepPos }
  | ({ seq: number; kind: 'command' } & CommandRun)
  | { seq: number; kind: 'answer'; answer: string; ok: boolean }
  | { seq: number; kind: 'hint'; hint: Hint; n: number; total: number }
  | { seq: number; kind: 'completed'; pos: StepPos; how: CompletedHow }
  | { seq: number; kind: 'lesson-done'; lesson: number }
  | { seq: number; kind: 'note'; msg: UiMsg; tone?: Tone }
  | { seq: number; kind: 'broadcast'; text: string };

/** A log item before it has its place in the log. */
export type NewLogItem = LogItem extends infer E ? (E extends LogItem ? Omit<E, 'seq'> : never) : never;
