import type { Lang } from '../../i18n/lang.js';
import type { BackendChoice } from '../../sandbox/factory.js';

// Messages between the lab server and one attendee's tutor process (Node's IPC channel: both
// ends are this program, so types suffice; what comes from browsers is validated in socketProtocol.ts).

export interface WorkerStart {
  t: 'start';
  courseDir: string;
  backend: BackendChoice;
  lang: Lang;
  columns: number;
  rows: number;
  /** the classroom's join URL on loopback: the tutor reports there like any learner */
  joinUrl: string;
  learnerId: string;
  name: string;
  /** this attendee's progress and settings */
  progressDir: string;
}

export type ToWorker =
  | WorkerStart
  | { t: 'in'; data: string }
  | { t: 'resize'; columns: number; rows: number }
  /** a browser (re)attached: send the whole screen */
  | { t: 'attach' }
  /** the instructor's "reset sandbox": rebuild it to the current step's start */
  | { t: 'reset' }
  | { t: 'close' };

/** Where the attendee is, for the page's header and the bench (never used to decide anything). */
export interface Milestone {
  kind: 'ready' | 'step' | 'command' | 'checks' | 'completed' | 'reset';
  lesson: number;
  step: number;
  stepId: string;
  /** the step is something to read (Enter moves on) or a quiz (Ctrl-S answers it) */
  reading: boolean;
  quiz: boolean;
  passed?: boolean;
}

export type FromWorker =
  | { t: 'out'; data: string }
  | { t: 'screen'; data: string }
  | { t: 'milestone'; m: Milestone }
  /** the learner left the tutor (q, Ctrl-D) or it failed: the session is over */
  | { t: 'exit'; code: number };
