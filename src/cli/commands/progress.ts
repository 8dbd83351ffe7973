import type { Course } from '../../course/load.js';
import { flatSteps, fraction, type Progress } from '../../course/progress.js';
import { lessonTitle } from '../../course/texts.js';
import { tcli } from '../../i18n/cliMessages.js';
import type { Lang } from '../../i18n/lang.js';
import { userInfo, hostname } from 'node:os';

// For instructors collecting progress in class: who, where, what is done.
export function progressCommand(course: Course, p: Progress, lang: Lang, json: boolean, out: (l: string) => void): void {
  const { finished, total } = fraction(course, p);
  const lessons = course.lessons.map((l) => {
    const steps = flatSteps(course).filter((s) => s.lessonId === l.id);
    return {
      id: l.id,
      title: lessonTitle(l, lang),
      done: steps.filter((s) => p.marks[s.key] === 'done').length,
      skipped: steps.filter((s) => p.marks[s.key] === 'skipped').length,
      steps: steps.length,
      hints: steps.reduce((n, s) => n + (p.hints[s.key] ?? 0), 0),
    };
  });
  if (json) {
    out(JSON.stringify({ user: userInfo().username, host: hostname(), finished, total, current: p.current, lessons }, null, 2));
    return;
  }
  out(
    tcli(lang, 'progress_summary', {
      who: `${userInfo().username}@${hostname()}`,
      finished,
      total,
      percent: Math.round((finished / total) * 100),
    }),
  );
  if (p.current) out(tcli(lang, 'progress_current', { step: `${p.current.lesson}/${p.current.step}` }));
  for (const l of lessons) {
    const bar = l.done + l.skipped === l.steps ? '✓' : l.done + l.skipped > 0 ? '…' : ' ';
    out(
      `${bar} ${l.id.padEnd(16)} ${l.done}/${l.steps}${l.skipped ? tcli(lang, 'progress_skipped', { n: l.skipped }) : ''}${l.hints ? tcli(lang, 'progress_hints', { n: l.hints }) : ''}  ${l.title}`,
    );
  }
}
