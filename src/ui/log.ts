import { describeCheck, describeDiagnosis } from '../checks/describe.js';
import type { Course } from '../course/load.js';
import { lessonTitle, lessonSummary, stepText } from '../course/texts.js';
import type { Hint } from '../engine/hints.js';
import type { Lang } from '../i18n/lang.js';
import { tu } from '../i18n/uiMessages.js';
import { fitLine, line, lineWidth, seg, wholeLine, wrapSegs, type Line } from './lines.js';
import { renderMarkdown } from './markdown.js';
import type { PrintedItem } from './printedLog.js';
import { capOutput, sanitizeOutput, widthOf, wrapText } from './text.js';

// The finished part of the screen: what happened, in order. Items go into ink's <Static>
// (printed once, never redrawn); each is turned into lines at the width and in the language of
// the moment it is printed.
export interface LogStyle {
  color: boolean;
}

export function entryLines(e: PrintedItem, course: Course, lang: Lang, width: number, style: LogStyle): Line[] {
  const w = Math.max(10, width);
  switch (e.kind) {
    case 'step': {
      const lesson = course.lessons[e.pos.lesson]!;
      const step = lesson.def.steps[e.pos.step]!;
      const text = stepText(lesson, step.id, lang);
      const lt = lessonTitle(lesson, lang);
      const no = e.pos.lesson + 1;
      const title = text.title === lt ? `${no}. ${text.title}` : `${no}. ${lt} › ${text.title}`;
      const head = fitLine([seg('━━ ', 'accent'), seg(title, 'title'), seg(` (${e.pos.step + 1}/${lesson.def.steps.length}) `, 'dim')], w);
      const fill = w - lineWidth(head);
      return [fill > 0 ? [...head, seg('━'.repeat(fill), 'accent')] : head, ...renderMarkdown(text.body, Math.min(w, 100), style), []];
    }
    case 'command': {
      const out: Line[] = wrapSegs(seg(e.byTutor ? '» ' : '❯ ', 'accent'), e.command, w, 'title');
      const { text, dropped } = capOutput(sanitizeOutput(e.output));
      if (dropped > 0) out.push(line(tu(lang, 'ui_output_dropped', { n: dropped }), 'dim'));
      const body = text.replace(/\n+$/, '');
      if (body) out.push(...wrapText(body, w).map((r) => [seg(r)]));
      if (e.interrupted) out.push(line(`^C ${tu(lang, 'cmd_interrupted')}`, 'warn'));
      else if (e.timedOut) out.push(...wrapSegs(null, tu(lang, 'cmd_timed_out'), w, 'warn'));
      else if (e.exitCode !== 0 && e.exitCode !== null) out.push(line(tu(lang, 'ui_exit', { code: e.exitCode }), 'dim'));
      return out;
    }
    case 'answer':
      return [
        fitLine(
          [
            seg('❯ ', 'accent'),
            seg(e.answer, 'title'),
            seg('  '),
            e.ok ? seg(`✓ ${tu(lang, 'ui_answer_right')}`, 'ok') : seg(`✗ ${tu(lang, 'ui_answer_wrong')}`, 'bad'),
          ],
          w,
        ),
      ];
    case 'hint':
      return hintLines(e.hint, e.n, e.total, lang, w, style);
    case 'completed': {
      const lesson = course.lessons[e.pos.lesson]!;
      const text = stepText(lesson, lesson.def.steps[e.pos.step]!.id, lang);
      const key = e.how === 'skipped' ? 'ui_skipped' : e.how === 'solved' ? 'ui_step_solved_log' : 'ui_step_complete_log';
      const out = wrapSegs(
        null,
        `${e.how === 'skipped' ? '~' : '✓'} ${tu(lang, key, { title: text.title })}`,
        w,
        e.how === 'skipped' ? 'warn' : 'ok',
      );
      if (text.explain) out.push(...renderMarkdown(text.explain, Math.min(w, 100), style));
      return [...out, []];
    }
    case 'lesson-done': {
      const lesson = course.lessons[e.lesson]!;
      const summary = lessonSummary(lesson, lang);
      return [
        ...wrapSegs(seg('◆ ', 'accent'), tu(lang, 'ui_lesson_done', { title: lessonTitle(lesson, lang) }), w, 'title'),
        ...(summary ? wrapSegs(seg('  '), summary, w) : []),
        [],
      ];
    }
    case 'note':
      return wrapSegs(null, tu(lang, e.msg.key, e.msg.params), w, e.tone === 'hint' ? 'hint' : e.tone);
    case 'broadcast':
      return [...wrapSegs(seg('📣 ', 'accent'), tu(lang, 'ui_broadcast', { text: e.text }), w, 'accent'), []];
    case 'gone':
      return [];
  }
}

function hintLines(h: Hint, n: number, total: number, lang: Lang, w: number, style: LogStyle): Line[] {
  const label = seg(tu(lang, 'ui_label', { label: tu(lang, 'ui_hint', { n, total }) }), 'hint');
  const lw = widthOf(label.text);
  const pad = seg(' '.repeat(lw));
  if (h.level === 3) {
    // The exact commands, whole (never wrapped): they are meant to be copied.
    return [[label, seg(tu(lang, 'ui_hint_command'), 'hint')], ...h.commands.map((c) => wholeLine([seg('  '), seg(c, 'title')]))];
  }
  const parts: string[] = [];
  if (h.level === 2 && h.check) parts.push(describeCheck(h.check, lang));
  if (h.text) parts.push(h.text);
  const rows = parts.flatMap((p) => renderMarkdown(p, Math.max(10, w - lw), style));
  const out: Line[] = rows.map((r, i) => [i === 0 ? label : pad, ...r]);
  if (h.level === 2 && h.check?.diagnosis) {
    for (const d of describeDiagnosis(h.check.diagnosis, lang)) out.push(...wrapSegs(pad, d, w, 'dim'));
  }
  return out;
}
