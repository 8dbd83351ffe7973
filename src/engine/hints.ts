import type { CheckResult } from '../checks/evaluate.js';
import type { Step, StepText } from '../course/schema.js';

// Graduated hints, as a pure function of the step, its texts, what is failing now and what was
// already shown: first a nudge, then what is wrong now (the recognised mistake, else the first
// failing check), then the exact command. A hint already given is never given again; when the
// learner's state changes, "what is wrong now" is about the new state. Quizzes get their nudge
// and their stronger hint, never a command.
export type Hint =
  | { level: 1; key: 'nudge'; text: string }
  | { level: 2; key: string; text: string | null; check?: CheckResult; mistake?: string }
  | { level: 3; key: string; commands: readonly string[] };

export interface RecognisedMistake {
  id: string;
  text: string;
  repair: readonly string[];
}

export interface HintInput {
  step: Step;
  text: StepText;
  /** the latest evaluation (empty before the first) */
  checks: readonly CheckResult[];
  mistake: RecognisedMistake | null;
  /** keys of the hints already given in this step */
  given: ReadonlySet<string>;
}

/** The hints this state has to offer, in order (the ones already given included). */
export function hintLadder(i: HintInput): Hint[] {
  const ladder: Hint[] = [];
  const nudge = i.text.hints.nudge;
  if (nudge) ladder.push({ level: 1, key: 'nudge', text: nudge });
  const quiz = i.step.checks.find((c) => c.type === 'answer');
  if (quiz) {
    const more = i.text.hints[quiz.id ?? 'answer'];
    if (more) ladder.push({ level: 2, key: `wrong:${quiz.id ?? 'answer'}`, text: more });
    return ladder;
  }
  if (i.mistake) {
    ladder.push({ level: 2, key: `wrong:mistake:${i.mistake.id}`, text: i.mistake.text, mistake: i.mistake.id });
    ladder.push({ level: 3, key: `cmd:mistake:${i.mistake.id}`, commands: i.mistake.repair });
    return ladder;
  }
  const failing = i.checks.find((r) => !r.ok);
  if (failing) {
    const id = failing.check.id;
    const key = id ?? `${failing.key}:${JSON.stringify(failing.params)}`;
    ladder.push({ level: 2, key: `wrong:${key}`, text: id ? (i.text.hints[id] ?? null) : null, check: failing });
    // The exact command: the check's own fix, else the one path reasoning found for a failing
    // ping, else another failing check's fix (a challenge's hidden setting), else the solution.
    const d = failing.diagnosis;
    const pathFix = d && d !== 'silent' && d.fix.length > 0 ? d.fix : undefined;
    const fix = failing.check.fix ?? pathFix ?? i.checks.find((r) => !r.ok && r.check.fix)?.check.fix ?? i.step.solution;
    if (fix.length > 0) ladder.push({ level: 3, key: `cmd:${id ?? 'solution'}`, commands: fix });
    return ladder;
  }
  if (i.step.solution.length > 0) ladder.push({ level: 3, key: 'cmd:solution', commands: i.step.solution });
  return ladder;
}

/** The next hint not given yet, with its place in the ladder; null when there is none left. */
export function nextHint(i: HintInput): { hint: Hint; n: number; total: number } | null {
  const ladder = hintLadder(i);
  const at = ladder.findIndex((h) => !i.given.has(h.key));
  if (at < 0) return null;
  return { hint: ladder[at]!, n: at + 1, total: ladder.length };
}
