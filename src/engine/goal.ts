import type { CheckResult } from '../checks/evaluate.js';
import type { Step } from '../course/schema.js';

// What the goal panel may show of an evaluation. A hidden check appears once it passes (before,
// it would give an answer away). In a challenge (a troubleshooting step, or one whose visible
// goal is only pings) hidden checks stay hidden until the whole step passes: the list of what is
// already fine would otherwise point at what is not. There a failing ping shows its symptom
// only: where the packet dies is what the learner is looking for (the hints still say it).
export function isChallenge(step: Step): boolean {
  const visible = step.checks.filter((c) => !c.hidden && c.type !== 'answer');
  const hidden = step.checks.some((c) => c.hidden);
  return step.breakOneOf.length > 0 || (hidden && visible.length > 0 && visible.every((c) => c.type === 'ping'));
}

export function goalOf(step: Step, results: readonly CheckResult[], passed = false): CheckResult[] {
  const challenge = isChallenge(step);
  return results
    .filter((r) => !r.check.hidden || (challenge ? passed : r.ok))
    .map((r) => {
      if (!challenge || r.ok || r.diagnosis === undefined) return r;
      const { diagnosis: _hidden, ...rest } = r;
      return { ...rest, params: { ...rest.params, why: { key: 'ping_no_reply' } } };
    });
}
