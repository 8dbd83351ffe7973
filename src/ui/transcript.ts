import { describeCheck, describeDiagnosis } from '../checks/describe.js';
import { lessonSummary, lessonTitle, stepText } from '../course/texts.js';
import type { Controller } from '../engine/controller.js';
import type { EngineEvent } from '../engine/events.js';
import { tu } from '../i18n/uiMessages.js';
import { lineText } from './lines.js';
import { renderMarkdown } from './markdown.js';
import { capOutput, sanitizeOutput, wrapText } from './text.js';

// What the REPL shows, as plain lines for a pipe or a projector: the step's text, each command
// with its output (capped), each check with its reason, a recognised mistake's explanation, the
// path diagnosis of a failing ping, hints and notes. `play --commands --echo` and
// `play --auto --pace human` print it; an instructor can replay a learner's history with it.
export interface TranscriptOptions {
  out: (line: string) => void;
  /** columns to wrap prose at (commands and output lines are never cut) */
  width: number;
  /** the step's text when it opens (projecting) */
  stepText: boolean;
  /** how many lines of a command's output to keep */
  maxOutputLines?: number;
  /** a command was typed by the transcript itself (human pace): do not print it again */
  typed?: (command: string) => boolean;
}

export function attachTranscript(c: Controller, o: TranscriptOptions): () => void {
  const width = Math.max(40, o.width);
  const wrap = (text: string, indent = '') => wrapText(text, width - indent.length).forEach((l) => o.out(indent + l));
  return c.subscribe((e: EngineEvent) => {
    const lang = c.lang;
    switch (e.type) {
      case 'step-entered': {
        const v = c.stepView(e.pos);
        const text = stepText(v.lesson, v.step.id, lang);
        const lt = lessonTitle(v.lesson, lang);
        o.out('');
        o.out(
          `== ${e.pos.lesson + 1}. ${lt}${text.title === lt ? '' : ` › ${text.title}`} (${e.pos.step + 1}/${v.lesson.def.steps.length})`,
        );
        if (o.stepText) for (const l of renderMarkdown(text.body, width, { color: false })) o.out(lineText(l));
        return;
      }
      case 'busy':
        // The command line as it starts (a watcher sees what runs while it runs).
        if ((e.busy?.kind === 'run' || e.busy?.kind === 'solve') && !o.typed?.(e.busy.command))
          o.out(`${e.busy.kind === 'solve' ? '»' : '$'} ${e.busy.command}`);
        return;
      case 'command': {
        const r = e.run;
        const { text, dropped } = capOutput(sanitizeOutput(r.output), { maxChars: 16_000, maxLines: o.maxOutputLines ?? 40 });
        if (dropped > 0) o.out(`  ${tu(lang, 'ui_output_dropped', { n: dropped })}`);
        for (const l of text.replace(/\n+$/, '').split('\n')) if (l) o.out(l);
        if (r.interrupted) o.out(`^C ${tu(lang, 'cmd_interrupted')}`);
        else if (r.timedOut) o.out(`  ! ${tu(lang, 'cmd_timed_out')}`);
        return;
      }
      case 'answered':
        o.out(`> ${e.answer}  ${e.ok ? `✓ ${tu(lang, 'ui_answer_right')}` : `✗ ${tu(lang, 'ui_answer_wrong')}`}`);
        return;
      case 'checks':
        for (const r of e.goal) {
          if (r.key === 'answer_waiting') continue;
          wrap(`${r.ok ? '✓' : '✗'} ${describeCheck(r, lang)}`, '  ');
          if (!r.ok && r.diagnosis) for (const d of describeDiagnosis(r.diagnosis, lang)) wrap(`↳ ${d}`, '    ');
        }
        if (e.mistake && !e.passed) {
          wrap(`! ${e.mistake.text}`, '  ');
          for (const cmd of e.mistake.repair) o.out(`    ${tu(lang, 'ui_repair')}: ${cmd}`);
        }
        return;
      case 'hint': {
        const h = e.hint;
        const head = `${tu(lang, 'ui_hint', { n: e.n, total: e.total })}: `;
        if (h.level === 3) {
          o.out(head + tu(lang, 'ui_hint_command'));
          for (const cmd of h.commands) o.out(`    ${cmd}`);
        } else {
          wrap(head + (h.level === 2 && h.check ? describeCheck(h.check, lang) : ''), '  ');
          if (h.text) for (const l of renderMarkdown(h.text, width - 2, { color: false })) o.out(`  ${lineText(l)}`);
          if (h.level === 2 && h.check?.diagnosis) for (const d of describeDiagnosis(h.check.diagnosis, lang)) wrap(`↳ ${d}`, '    ');
        }
        return;
      }
      case 'completed': {
        const v = c.stepView(e.pos);
        const text = stepText(v.lesson, v.step.id, lang);
        const key = e.how === 'skipped' ? 'ui_skipped' : e.how === 'solved' ? 'ui_step_solved_log' : 'ui_step_complete_log';
        o.out(`${e.how === 'skipped' ? '~' : '✓'} ${tu(lang, key, { title: text.title })}`);
        if (text.explain) for (const l of renderMarkdown(text.explain, width, { color: false })) o.out(lineText(l));
        return;
      }
      case 'lesson-done': {
        const l = c.course.lessons[e.lesson]!;
        o.out(`◆ ${tu(lang, 'ui_lesson_done', { title: lessonTitle(l, lang) })}`);
        const s = lessonSummary(l, lang);
        if (s) wrap(s, '  ');
        return;
      }
      case 'note':
        wrap(tu(lang, e.msg.key, e.msg.params));
        return;
      case 'broadcast':
        wrap(`📣 ${tu(lang, 'ui_broadcast', { text: e.text })}`);
        return;
      case 'hand':
        wrap(tu(lang, e.raised ? 'ui_hand_raised' : e.byInstructor ? 'ui_hand_resolved' : 'ui_hand_lowered'));
        return;
      case 'failed':
        wrap(tu(lang, 'ui_error_title'));
        wrap(e.failure.message, '  ');
        if (e.failure.fix) wrap(`${tu(lang, 'ui_error_fix')} ${e.failure.fix}`, '  ');
        if (e.failure.log) for (const l of e.failure.log.split('\n').slice(-12)) o.out(`  ${l}`);
        return;
      case 'runtime-error':
        wrap(tu(lang, 'ui_error_runtime', { message: e.message }));
        if (e.fix) wrap(e.fix, '  ');
        return;
      default:
        return;
    }
  });
}
