import type { Lang } from '../i18n/lang.js';
import { tu } from '../i18n/uiMessages.js';
import { fitLine, line, lineWidth, seg, wrapSegs, type Line, type Tone } from './lines.js';
import { renderMarkdown } from './markdown.js';
import { widthOf, wrapText } from './text.js';

// The finished part of the screen: what happened, in order. Entries go into ink's <Static>
// (printed once, never redrawn); each is turned into lines at the width of the moment.

export type LogEntry =
  | { id: number; kind: 'step'; lessonNo: number; lessonTitle: string; stepTitle: string; body: string; stepNo: number; stepCount: number }
  | {
      id: number;
      kind: 'command';
      command: string;
      /** sanitised, capped */
      output: string;
      dropped: number;
      exitCode: number | null;
      interrupted: boolean;
      timedOut: boolean;
      /** run by the tutor (solve, skip), not typed */
      byTutor?: boolean;
    }
  | { id: number; kind: 'answer'; answer: string; ok: boolean }
  | { id: number; kind: 'hint'; text: string; n: number; total: number }
  | { id: number; kind: 'solution'; commands: string[] }
  | { id: number; kind: 'note'; text: string; tone?: Tone; /** a blank line after it */ gap?: boolean }
  /** an entry already printed whose content was dropped to save memory */
  | { id: number; kind: 'gone' };

/** Distributive Omit, so each variant keeps its own fields. */
export type NewEntry = LogEntry extends infer E ? (E extends LogEntry ? Omit<E, 'id'> : never) : never;

export interface LogStyle {
  color: boolean;
}

export function entryLines(e: LogEntry, lang: Lang, width: number, style: LogStyle): Line[] {
  const w = Math.max(10, width);
  switch (e.kind) {
    case 'step': {
      const title = e.stepTitle === e.lessonTitle ? `${e.lessonNo}. ${e.stepTitle}` : `${e.lessonNo}. ${e.lessonTitle} › ${e.stepTitle}`;
      const body = renderMarkdown(e.body, Math.min(w, 100), { color: style.color });
      const head = fitLine([seg('━━ ', 'accent'), seg(title, 'title'), seg(` (${e.stepNo}/${e.stepCount}) `, 'dim')], w);
      const fill = w - lineWidth(head);
      return [fill > 0 ? [...head, seg('━'.repeat(fill), 'accent')] : head, ...body.split('\n').map((l) => [seg(l)]), []];
    }
    case 'command': {
      const out: Line[] = wrapSegs(seg(e.byTutor ? '» ' : '❯ ', 'accent'), e.command, w, 'title');
      if (e.dropped > 0) out.push(line(tu(lang, 'ui_output_dropped', { n: e.dropped }), 'dim'));
      const body = e.output.replace(/\n+$/, '');
      if (body) out.push(...wrapText(body, w).map((r) => [seg(r)]));
      if (e.interrupted) out.push(line(`^C ${tu(lang, 'cmd_interrupted')}`, 'warn'));
      else if (e.timedOut) out.push(...wrapSegs(null, tu(lang, 'cmd_timed_out'), w, 'warn'));
      else if (e.exitCode !== 0 && e.exitCode !== null) out.push(line(tu(lang, 'ui_exit', { code: e.exitCode }), 'dim'));
      return out;
    }
    case 'answer':
      return [
        [
          seg('❯ ', 'accent'),
          seg(e.answer, 'title'),
          seg('  '),
          e.ok ? seg(`✓ ${tu(lang, 'ui_answer_right')}`, 'ok') : seg(`✗ ${tu(lang, 'ui_answer_wrong')}`, 'bad'),
        ],
      ].map((l) => fitLine(l, w));
    case 'hint': {
      const label = seg(`${tu(lang, 'ui_hint', { n: e.n, total: e.total })}: `, 'hint');
      const rows = renderMarkdown(e.text, Math.max(10, w - widthOf(label.text)), { color: style.color }).split('\n');
      return rows.map((r, i) => [i === 0 ? label : seg(' '.repeat(widthOf(label.text))), seg(r)]);
    }
    case 'solution':
      return [line(`${tu(lang, 'ui_solution')}:`, 'hint'), ...e.commands.flatMap((c) => wrapSegs(seg('  '), c, w, 'title'))];
    case 'note':
      return [...wrapSegs(null, e.text, w, e.tone), ...(e.gap ? [[]] : [])];
    case 'gone':
      return [];
  }
}
