import type { Course } from '../../course/load.js';
import { lessonTitle, stepText } from '../../course/texts.js';
import type { Lang } from '../../i18n/lang.js';
import { tcli } from '../../i18n/cliMessages.js';
import { tu } from '../../i18n/uiMessages.js';

export function lessonsCommand(course: Course, lang: Lang, json: boolean, out: (l: string) => void): void {
  const data = course.lessons.map((l) => ({
    id: l.id,
    title: lessonTitle(l, lang),
    steps: l.def.steps.map((s) => ({
      id: s.id,
      title: stepText(l, s.id, lang).title,
      kind: s.checks.length === 0 ? 'reading' : s.checks.some((c) => c.type === 'answer') ? 'quiz' : 'task',
      requires: s.requires,
    })),
  }));
  if (json) {
    out(JSON.stringify(data, null, 2));
    return;
  }
  out(tu(lang, 'lessons_header'));
  for (const l of data) {
    out(`${l.id}  ${l.title}`);
    for (const s of l.steps)
      out(`  ${l.id}/${s.id}  ${s.title}${s.kind === 'task' ? '' : tcli(lang, s.kind === 'quiz' ? 'lessons_quiz' : 'lessons_reading')}`);
  }
}
