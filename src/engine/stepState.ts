import type { CheckOutcome } from '../checks/checkState.js';
import type { Check } from '../checks/schema.js';
import type { Step } from '../course/schema.js';
import { nsOf } from '../kernel/namespaces.js';

// What the engine remembers about the step the learner is in, and the evidence rule: a goal
// that already held when the step opened counts only with the learner's own evidence from the
// kernel, their pings growing the namespace's ICMP echo counter by more than the engine's did.
type Ping = Extract<Check, { type: 'ping' }>;

/** Per-step state that lasts until the learner leaves the step. */
export interface StepState {
  answered: string | undefined;
  given: Set<string>;
  picked: { id: string; answer: readonly string[] } | null;
  /** the learner typed or solved something here: a state right on entry does not count by itself */
  acted: boolean;
  /** every state check held when the step opened */
  heldOnEntry: boolean;
  /** ICMP echo requests sent per namespace when the step opened, and by the engine's own pings since */
  echoBase: Record<string, number>;
  enginePings: Record<string, number>;
  /** the state checks pass and the debrief question is asked */
  debrief: boolean;
  debriefAnswered: boolean;
  /** the last solve could not repair the state: the next one restarts the step first */
  offerRestart: boolean;
  completed: boolean;
}

export const freshStep = (): StepState => ({
  answered: undefined,
  given: new Set(),
  picked: null,
  acted: false,
  heldOnEntry: false,
  echoBase: {},
  enginePings: {},
  debrief: false,
  debriefAnswered: false,
  offerRestart: false,
  completed: false,
});

const pingKeyOf = (ns: string, c: Ping) => `${ns}|${c.to}|${c.size ?? ''}|${c.dontFragment ? 'df' : ''}`;
const mustReach = (c: Check): c is Ping => c.type === 'ping' && c.expect === 'success';

/** Namespaces whose echo counters carry a learner's evidence: where a ping must get through (one that must fail is never sent). */
export function pingNamespaces(step: Step): string[] {
  return [...new Set(step.checks.filter(mustReach).map((c) => nsOf(c)))];
}

/** The pings this evaluation sent itself (a ping path reasoning ruled out is not sent). */
function sentNow(step: Step, o: CheckOutcome, ns: string): number {
  return step.checks.filter((c) => mustReach(c) && nsOf(c) === ns && o.snapshot.pings[pingKeyOf(ns, c)]?.predicted !== true).length;
}

export function recordEnginePings(st: StepState, step: Step, o: CheckOutcome): void {
  for (const ns of pingNamespaces(step)) st.enginePings[ns] = (st.enginePings[ns] ?? 0) + sentNow(step, o, ns);
}

export function learnerEvidence(st: StepState, step: Step, o: CheckOutcome): boolean {
  if (!st.heldOnEntry) return true;
  const pingNs = pingNamespaces(step);
  if (pingNs.length === 0) return st.acted;
  return pingNs.every((ns) => {
    const now = o.snapshot.echoesSent[ns];
    const base = st.echoBase[ns];
    if (now === undefined || base === undefined) return st.acted;
    // The counters were read before this evaluation's own pings went out.
    const engine = (st.enginePings[ns] ?? 0) - sentNow(step, o, ns);
    return now - base > engine;
  });
}
