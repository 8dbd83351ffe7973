import type { HandRow, LearnerRow } from './store.js';

// What the dashboard and the API say about each learner and the class: pure functions of the
// stored rows and the clock, so the same numbers come out of `GET /api/class`, the live tiles
// and the export.

export type Status = 'working' | 'stuck' | 'help' | 'done' | 'offline' | 'joining';

export interface LearnerSummary {
  id: string;
  name: string;
  lab: boolean;
  private: boolean;
  online: boolean;
  status: Status;
  /** minutes on the same failing check, when stuck */
  stuckMinutes: number | null;
  lessonId: string | null;
  stepId: string | null;
  lesson: number | null;
  step: number | null;
  lessonTitle: string | null;
  stepTitle: string | null;
  completed: number;
  total: number;
  /** ms on the current step */
  onStepMs: number;
  failing: { id: string; reason: string } | null;
  mistake: string | null;
  hand: boolean;
  lastSeen: number;
}

export interface ClassGlance {
  /** learners at each step, in course order */
  atStep: { lessonId: string; stepId: string; lesson: number; step: number; title: string; count: number }[];
  /** the checks failing for most learners right now */
  failing: { checkId: string; lessonId: string; stepId: string; reason: string; count: number }[];
}

export function summarise(l: LearnerRow, o: { online: boolean; now: number; stuckMs: number; hand?: HandRow }): LearnerSummary {
  const s = l.state;
  const stuckFor = s?.failing && l.failSince ? o.now - l.failSince : 0;
  const hand = o.hand !== undefined;
  const status: Status = !s
    ? o.online
      ? 'joining'
      : 'offline'
    : s.courseDone
      ? 'done'
      : hand
        ? 'help'
        : !o.online
          ? 'offline'
          : stuckFor >= o.stuckMs
            ? 'stuck'
            : 'working';
  return {
    id: l.id,
    name: l.name,
    lab: l.lab,
    private: l.private,
    online: o.online,
    status,
    stuckMinutes: status === 'stuck' ? Math.floor(stuckFor / 60_000) : null,
    lessonId: s?.lessonId ?? null,
    stepId: s?.stepId ?? null,
    lesson: s?.lesson ?? null,
    step: s?.step ?? null,
    lessonTitle: s?.lessonTitle ?? null,
    stepTitle: s?.stepTitle ?? null,
    completed: s?.completed ?? 0,
    total: s?.total ?? 0,
    onStepMs: s ? Math.max(0, o.now - l.stepSince) : 0,
    failing: s?.failing ? { id: s.failing.id, reason: s.failing.reason } : null,
    mistake: s?.mistake?.text ?? null,
    hand,
    lastSeen: l.lastSeen,
  };
}

export function glance(learners: readonly LearnerSummary[]): ClassGlance {
  const steps = new Map<string, ClassGlance['atStep'][number]>();
  const fails = new Map<string, ClassGlance['failing'][number]>();
  for (const l of learners) {
    if (l.lessonId === null || l.stepId === null || l.status === 'done') continue;
    const key = `${l.lessonId}/${l.stepId}`;
    const at = steps.get(key) ?? {
      lessonId: l.lessonId,
      stepId: l.stepId,
      lesson: l.lesson!,
      step: l.step!,
      title: l.stepTitle ?? '',
      count: 0,
    };
    at.count++;
    steps.set(key, at);
    if (l.failing) {
      const fk = `${key}/${l.failing.id}`;
      const f = fails.get(fk) ?? { checkId: l.failing.id, lessonId: l.lessonId, stepId: l.stepId, reason: l.failing.reason, count: 0 };
      f.count++;
      fails.set(fk, f);
    }
  }
  return {
    atStep: [...steps.values()].sort((a, b) => a.lesson - b.lesson || a.step - b.step),
    failing: [...fails.values()].sort((a, b) => b.count - a.count || a.checkId.localeCompare(b.checkId)).slice(0, 5),
  };
}
