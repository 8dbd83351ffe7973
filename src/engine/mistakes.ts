import type { CheckOutcome } from '../checks/checkState.js';
import { evaluateChecks } from '../checks/evaluate.js';
import type { Step, StepText } from '../course/schema.js';
import type { RecognisedMistake } from './hints.js';

// A declared mistake recognised from state: its signature's checks all hold in what was read.
/** The first declared mistake whose signature holds in this state. */
export function recognise(step: Step, text: StepText, o: CheckOutcome): RecognisedMistake | null {
  for (const m of step.mistakes) {
    if (!m.signature || !m.repair) continue;
    if (evaluateChecks(m.signature, o.snapshot, undefined, undefined, o.paths).every((r) => r.ok)) {
      const explanation = text.mistakes[m.id];
      if (explanation) return { id: m.id, text: explanation, repair: m.repair };
    }
  }
  return null;
}
