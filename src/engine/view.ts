import type { CheckResult } from '../checks/evaluate.js';
import type { StepPos } from '../course/progress.js';
import type { Lang } from '../i18n/lang.js';
import type { BackendName, Feature } from '../sandbox/types.js';
import type { Busy, EngineEvent, Failure, LogItem, NewLogItem } from './events.js';
import type { RecognisedMistake } from './hints.js';

// The state of a session as a screen shows it: a pure reduction of the engine's event stream.
export interface EngineView {
  stage: 'boot' | 'ready' | 'failed' | 'closed';
  lang: Lang;
  backend: BackendName | null;
  pos: StepPos;
  key: string;
  busy: Busy | null;
  /** the latest evaluation of the step's checks (empty before the first, and on reading steps) */
  checks: CheckResult[];
  /** what the goal panel shows of them: hidden checks left out, a challenge's faults not given away */
  goal: CheckResult[];
  /** the step is complete */
  passed: boolean;
  /** the checks pass and the step asks its debrief question */
  debrief: boolean;
  /** the declared mistake the state matches, when a check fails */
  mistake: RecognisedMistake | null;
  /** kernel features the step needs and this sandbox lacks */
  unavailable: Feature[];
  /** lines typed ahead, waiting for the running command */
  queue: string[];
  /** the last LOG_KEEP items, in order; `seq` keeps counting */
  log: LogItem[];
  nextSeq: number;
  courseDone: boolean;
  failure: Failure | null;
  runtimeError: string | null;
  /** the classroom's furthest open lesson (index), null when there is no gate */
  gate: number | null;
  /** bumped whenever kernel state may have changed: front ends re-read their maps */
  version: number;
  /** the learner's hand is up (asked the instructor for help) */
  hand: boolean;
}

export const LOG_KEEP = 300;
/** The live output tail kept while a command runs. */
const LIVE_OUTPUT_CHARS = 16_000;

export function initialView(o: { lang: Lang; pos: StepPos; key: string }): EngineView {
  return {
    stage: 'boot',
    lang: o.lang,
    backend: null,
    pos: o.pos,
    key: o.key,
    busy: { kind: 'boot' },
    checks: [],
    goal: [],
    passed: false,
    debrief: false,
    mistake: null,
    unavailable: [],
    queue: [],
    log: [{ seq: 0, kind: 'step', pos: o.pos }],
    nextSeq: 1,
    courseDone: false,
    failure: null,
    runtimeError: null,
    gate: null,
    version: 0,
    hand: false,
  };
}

function append(v: EngineView, item: NewLogItem): EngineView {
  const log = [...v.log, { ...item, seq: v.nextSeq } as LogItem];
  return { ...v, log: log.length > LOG_KEEP ? log.slice(-LOG_KEEP) : log, nextSeq: v.nextSeq + 1 };
}

export function reduceView(v: EngineView, e: EngineEvent): EngineView {
  switch (e.type) {
    case 'phase':
      return v.busy && (v.busy.kind === 'boot' || v.busy.kind === 'ff') ? { ...v, busy: { ...v.busy, phase: e.phase } } : v;
    case 'busy':
      return { ...v, busy: e.busy };
    case 'output': {
      if (!v.busy || (v.busy.kind !== 'run' && v.busy.kind !== 'solve')) return v;
      const output = (v.busy.output + e.chunk).slice(-LIVE_OUTPUT_CHARS);
      return { ...v, busy: { ...v.busy, output } };
    }
    case 'ready':
      return { ...v, stage: 'ready', backend: e.backend, runtimeError: null };
    case 'failed':
      return { ...v, stage: 'failed', failure: e.failure, busy: null };
    case 'step-entered': {
      const moved = v.key !== e.key || v.log.length === 0;
      const next: EngineView = {
        ...v,
        pos: e.pos,
        key: e.key,
        checks: [],
        goal: [],
        passed: false,
        debrief: false,
        mistake: null,
        unavailable: e.unavailable,
        courseDone: false,
        runtimeError: null,
        version: v.version + 1,
      };
      // The first frame already shows the step; entering it again (a restart) prints it anew.
      const last = v.log.at(-1);
      return moved || !(last?.kind === 'step' && last.pos.lesson === e.pos.lesson && last.pos.step === e.pos.step)
        ? append(next, { kind: 'step', pos: e.pos })
        : next;
    }
    case 'command':
      return { ...append(v, { kind: 'command', ...e.run }), version: v.version + 1 };
    case 'answered':
      return append(v, { kind: 'answer', answer: e.answer, ok: e.ok });
    case 'checks':
      return { ...v, checks: e.results, goal: e.goal, passed: e.passed, mistake: e.mistake, debrief: e.debrief, version: v.version + 1 };
    case 'hint':
      return append(v, { kind: 'hint', hint: e.hint, n: e.n, total: e.total });
    case 'no-hints':
      return append(v, { kind: 'note', msg: { key: e.quiz ? 'ui_no_hints_quiz' : 'ui_no_hints' }, tone: 'dim' });
    case 'completed':
      return append({ ...v, passed: true }, { kind: 'completed', pos: e.pos, how: e.how });
    case 'lesson-done':
      return append(v, { kind: 'lesson-done', lesson: e.lesson });
    case 'course-done':
      return append({ ...v, courseDone: true }, { kind: 'note', msg: { key: 'ui_course_done' }, tone: 'ok' });
    case 'note':
      return append(v, { kind: 'note', msg: e.msg, ...(e.tone ? { tone: e.tone } : {}) });
    case 'runtime-error': {
      const noted = append(
        { ...v, runtimeError: e.message },
        { kind: 'note', msg: { key: 'ui_error_runtime', params: { message: e.message } }, tone: 'bad' },
      );
      return e.fix ? append(noted, { kind: 'note', msg: { key: 'ui_plain', params: { text: e.fix } }, tone: 'warn' }) : noted;
    }
    case 'lang':
      // The step again, in the new language.
      return append(append({ ...v, lang: e.lang }, { kind: 'note', msg: { key: 'ui_lang_switched' }, tone: 'dim' }), {
        kind: 'step',
        pos: v.pos,
      });
    case 'queue':
      return { ...v, queue: e.lines };
    case 'gate':
      return { ...v, gate: e.lesson };
    case 'broadcast':
      return append(v, { kind: 'broadcast', text: e.text });
    case 'hand':
      return append(
        { ...v, hand: e.raised },
        { kind: 'note', msg: { key: e.raised ? 'ui_hand_raised' : e.byInstructor ? 'ui_hand_resolved' : 'ui_hand_lowered' }, tone: 'hint' },
      );
    case 'closed':
      return { ...v, stage: 'closed', busy: null, queue: [] };
    default: {
      const never: never = e;
      throw new Error(`unknown engine event ${JSON.stringify(never)}`);
    }
  }
}
