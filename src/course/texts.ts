import { FALLBACK_LANG, type Lang } from '../i18n/lang.js';
import type { Lesson } from './load.js';
import type { StepText } from './schema.js';

// Texts in the learner's language, falling back to English piece by piece.
export function lessonTitle(lesson: Lesson, lang: Lang): string {
  return lesson.texts[lang]?.title ?? lesson.texts[FALLBACK_LANG]?.title ?? lesson.id;
}

/** The lesson's one-line summary, shown when it is done. */
export function lessonSummary(lesson: Lesson, lang: Lang): string | undefined {
  return lesson.texts[lang]?.summary ?? lesson.texts[FALLBACK_LANG]?.summary;
}

export function stepText(lesson: Lesson, stepId: string, lang: Lang): StepText {
  const en = lesson.texts[FALLBACK_LANG]?.steps[stepId];
  const local = lesson.texts[lang]?.steps[stepId];
  const base: StepText = en ?? { title: stepId, body: '', hints: {}, mistakes: {}, breaks: {} };
  if (!local) return base;
  return {
    title: local.title || base.title,
    body: local.body || base.body,
    hints: { ...base.hints, ...local.hints },
    mistakes: { ...base.mistakes, ...local.mistakes },
    breaks: { ...base.breaks, ...local.breaks },
    ...((local.explain ?? base.explain) ? { explain: local.explain ?? base.explain } : {}),
    ...((local.debrief ?? base.debrief) ? { debrief: local.debrief ?? base.debrief } : {}),
  };
}
