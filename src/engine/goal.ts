import type { CheckResult } from '../checks/evaluate.js';
import type { Step } from '../course/schema.js';

// What the goal panel may show of an evaluation. A hidden check appears once it passes (before,
// it would give an answer away); in a troubleshooting step a failing ping shows its symptom
// only: where the packet dies is the fault the learner is looking for (the hints still say it).
export function goalOf(step: Step, results: readonly CheckResult[]): CheckResult[] {
  const challenge = step.breakOneOf.length > 0;
  return results
    .filter((r) => r.ok || !r.check.hidden)
    .map((r) => {
      if (!challenge || r.ok || r.diagnosis === undefined) return r;
      const { diagnosis: _hidden, ...rest } = r;
      return { ...rest, params: { ...rest.params, why: { key: 'ping_no_reply' } } };
    });
}
