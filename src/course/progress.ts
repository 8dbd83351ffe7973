import type { Course } from './load.js';

// Learner progress as a pure reducer over a closed set of events. The file store and the
// engine only ever change progress through `reduce`.
export type StepMark = 'done' | 'skipped';

export interface Progress {
  version: 1;
  /** "lessonId/stepId" -> how it was finished */
  marks: Record<string, StepMark>;
  /** hints revealed per step */
  hints: Record<string, number>;
  current: { lesson: string; step: string } | null;
}

export type ProgressEvent =
  | { type: 'completed'; key: string }
  | { type: 'skipped'; key: string }
  | { type: 'moved'; lesson: string; step: string }
  | { type: 'hint'; key: string }
  | { type: 'reset-lesson'; lesson: string }
  | { type: 'reset-all' };

export const emptyProgress = (): Progress => ({ version: 1, marks: {}, hints: {}, current: null });

export const stepKey = (lesson: string, step: string) => `${lesson}/${step}`;

export function reduce(p: Progress, e: ProgressEvent): Progress {
  switch (e.type) {
    case 'completed':
      return { ...p, marks: { ...p.marks, [e.key]: 'done' } };
    case 'skipped':
      // A step already done stays done: skipping it again must not lose the achievement.
      return p.marks[e.key] === 'done' ? p : { ...p, marks: { ...p.marks, [e.key]: 'skipped' } };
    case 'moved':
      return { ...p, current: { lesson: e.lesson, step: e.step } };
    case 'hint':
      return { ...p, hints: { ...p.hints, [e.key]: (p.hints[e.key] ?? 0) + 1 } };
    case 'reset-lesson': {
      const prefix = `${e.lesson}/`;
      const keep = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith(prefix)));
      return { ...p, marks: keep(p.marks), hints: keep(p.hints), current: p.current?.lesson === e.lesson ? null : p.current };
    }
    case 'reset-all':
      return emptyProgress();
    default: {
      const never: never = e;
      throw new Error(`unknown progress event ${JSON.stringify(never)}`);
    }
  }
}

export interface StepPos {
  lesson: number;
  step: number;
}

/** Every step of the course in order, with its position. */
export function flatSteps(course: Course): { pos: StepPos; key: string; lessonId: string; stepId: string }[] {
  return course.lessons.flatMap((l, li) =>
    l.def.steps.map((s, si) => ({ pos: { lesson: li, step: si }, key: stepKey(l.id, s.id), lessonId: l.id, stepId: s.id })),
  );
}

export type StepState = 'done' | 'skipped' | 'current' | 'open' | 'locked';

/**
 * Steps up to the first unfinished one are open; the rest are locked unless unlockAll.
 * "current" is where the learner is.
 */
export function stepStates(course: Course, p: Progress, current: StepPos, unlockAll = false): StepState[][] {
  const flat = flatSteps(course);
  const firstOpen = flat.findIndex((s) => !p.marks[s.key]);
  const states: StepState[][] = course.lessons.map((l) => l.def.steps.map(() => 'locked' as StepState));
  flat.forEach((s, i) => {
    const mark = p.marks[s.key];
    const row = states[s.pos.lesson]!;
    if (s.pos.lesson === current.lesson && s.pos.step === current.step) row[s.pos.step] = 'current';
    else if (mark) row[s.pos.step] = mark;
    else if (unlockAll || firstOpen === -1 || i <= firstOpen) row[s.pos.step] = 'open';
  });
  return states;
}

/** Where to resume: the saved position if it still exists, else the first unfinished step. */
export function resumePosition(course: Course, p: Progress): StepPos {
  const flat = flatSteps(course);
  if (p.current) {
    const hit = flat.find((s) => s.lessonId === p.current!.lesson && s.stepId === p.current!.step);
    if (hit) return hit.pos;
  }
  return (flat.find((s) => !p.marks[s.key]) ?? flat[flat.length - 1]!).pos;
}

export function fraction(course: Course, p: Progress): { finished: number; total: number } {
  const flat = flatSteps(course);
  return { finished: flat.filter((s) => p.marks[s.key]).length, total: flat.length };
}
