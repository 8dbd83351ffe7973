import type { Course } from '../course/load.js';
import { stepKey, type StepMark, type StepPos, type StepState } from '../course/progress.js';
import { lessonTitle, stepText } from '../course/texts.js';
import type { Lang } from '../i18n/lang.js';
import { tu, type UiMessageKey } from '../i18n/uiMessages.js';
import { helpRows } from './keymap.js';
import { fitLine, lineWidth, padLine, seg, wrapSegs, type Line, type Seg } from './lines.js';
import type { Size } from './live.js';

// The lesson menu and the help screen, as lines. Pure.

export interface MenuItem {
  pos: StepPos;
  state: StepState;
}

/** Every step in course order, with its state: the menu's selectable rows. */
export function menuItems(states: StepState[][]): MenuItem[] {
  return states.flatMap((row, lesson) => row.map((state, step) => ({ pos: { lesson, step }, state })));
}

const MARK: Record<StepState, Seg> = {
  done: seg('✓', 'ok'),
  skipped: seg('~', 'warn'),
  current: seg('▸', 'accent'),
  open: seg(' '),
  locked: seg(' ', 'dim'),
};

const STATE_LABEL: Record<StepState, UiMessageKey> = {
  done: 'ui_state_done',
  skipped: 'ui_state_skipped',
  current: 'ui_state_current',
  open: 'ui_state_open',
  locked: 'ui_state_locked',
};

export function buildMenu(
  course: Course,
  states: StepState[][],
  /** finished steps ("lesson/step" -> done|skipped), so the current step can show it is done */
  marks: Record<string, StepMark>,
  selected: number,
  lang: Lang,
  size: Size,
  message: string | null,
): Line[] {
  const width = Math.max(10, size.columns);
  const rows: { line: Line; item?: number }[] = [];
  let idx = 0;
  course.lessons.forEach((lesson, li) => {
    const done = lesson.def.steps.filter((st) => marks[stepKey(lesson.id, st.id)]).length;
    const total = lesson.def.steps.length;
    rows.push({ line: [seg(`${li + 1}. `, 'dim'), seg(lessonTitle(lesson, lang), 'accent'), seg(`  ${done}/${total}`, 'dim')] });
    lesson.def.steps.forEach((step, si) => {
      const state = states[li]?.[si] ?? 'locked';
      const isSel = idx === selected;
      const title = stepText(lesson, step.id, lang).title;
      const label = tu(lang, STATE_LABEL[state]);
      const left: Line = [
        seg(isSel ? '❯ ' : '  ', 'accent'),
        seg('  '),
        state === 'current' && marks[stepKey(lesson.id, step.id)] === 'done' ? seg('✓', 'accent') : MARK[state],
        seg(' '),
        seg(title, state === 'locked' ? 'dim' : isSel ? 'key' : state === 'current' ? 'title' : undefined),
      ];
      const right: Line = [seg(`  ${label}`, state === 'locked' ? 'dim' : state === 'done' ? 'ok' : 'dim')];
      const rw = lineWidth(right);
      const row = rw + 12 < width ? [...padLine(left, width - rw), ...right] : fitLine(left, width);
      rows.push({ line: row, item: idx });
      idx++;
    });
  });
  const head: Line[] = [fitLine([seg(tu(lang, 'ui_menu_title'), 'title'), seg('  '), seg(tu(lang, 'ui_menu_help'), 'dim')], width)];
  const foot: Line[] = message ? wrapSegs(seg('! ', 'warn'), message, width, 'warn').slice(0, 2) : [];
  const room = Math.max(1, size.rows - 2 - head.length - foot.length); // one row for the header line above, one spare
  const selRow = Math.max(
    0,
    rows.findIndex((r) => r.item === selected),
  );
  // keep the selection visible, with its lesson title when possible
  let start = Math.max(0, Math.min(selRow - Math.floor(room / 2), rows.length - room));
  if (start > 0 && rows[start - 1] && rows[start - 1]!.item === undefined && selRow - start < room - 1) start--;
  const shown = rows.slice(start, start + room).map((r) => fitLine(r.line, width));
  return [...head, ...shown, ...foot];
}

/** The help screen; `scroll` lines are skipped from the top when it does not fit. */
export function buildHelp(lang: Lang, size: Size, scroll = 0): Line[] {
  const width = Math.max(10, size.columns);
  const rows = helpRows('prompt');
  const menuRows = helpRows('menu');
  const keyW = Math.min(16, Math.max(...[...rows, ...menuRows].map((r) => r.keys.length)) + 2);
  const title: Line = fitLine([seg(tu(lang, 'ui_help_title'), 'title'), seg('  '), seg(tu(lang, 'ui_help_close'), 'dim')], width);
  const out: Line[] = [];
  const add = (r: { keys: string; label: UiMessageKey }) => {
    const keyCol = seg(r.keys.padEnd(keyW), 'key');
    if (width < 40) out.push(fitLine([keyCol], width), ...wrapSegs(seg('  '), tu(lang, r.label), width, 'dim'));
    else out.push(...wrapSegs(keyCol, tu(lang, r.label), width));
  };
  rows.forEach(add);
  out.push([seg(tu(lang, 'ui_menu_title'), 'title')]);
  menuRows.forEach(add);
  const room = Math.max(1, size.rows - 3); // the header line, the title, one spare
  if (out.length <= room) return [title, ...out];
  const start = Math.max(0, Math.min(scroll, out.length - room + 1));
  const shown = out.slice(start, start + room - 1);
  const more = out.length - start - shown.length;
  return [title, ...shown, fitLine([seg(more > 0 ? `↓ ${more}` : '', 'dim'), seg(start > 0 ? `  ↑ ${start}` : '', 'dim')], width)];
}
