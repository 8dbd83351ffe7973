import type { Lang } from '../i18n/lang.js';
import { tu } from '../i18n/uiMessages.js';
import { keysFor } from './keymap.js';
import { visibleLine, type LineState } from './lineEditor.js';
import { fitLine, line, lineWidth, seg, wrapSegs, type Line, type Seg, type Tone } from './lines.js';
import { renderMap } from './map/renderMap.js';
import type { Topology } from '../kernel/topology.js';
import { widthOf, wrapText } from './text.js';

// The live part of the screen (everything below the finished log) as a pure function of a
// view model and the terminal size. It never returns more lines than rows - 1, none wider
// than the terminal, so ink never has to clear and redraw the whole screen.

export type { Busy } from '../engine/events.js';
import type { Busy } from '../engine/events.js';

export interface Header {
  lessonNo: number;
  lessonCount: number;
  lessonTitle: string;
  stepTitle: string;
  stepNo: number;
  stepCount: number;
  finished: number;
  total: number;
}

export interface CheckLine {
  ok: boolean;
  text: string;
  /** nothing to judge yet (a quiz waiting for its answer) */
  pending?: boolean;
  /** under the check: where a ping dies, what shows it, what fixes it */
  sub?: string[];
}

export interface LiveModel {
  lang: Lang;
  header: Header | null;
  busy: Busy | null;
  spinner: string;
  stepKind: 'task' | 'reading' | 'quiz';
  checks: CheckLine[];
  passed: boolean;
  courseDone: boolean;
  /** a notice that stays while on this step (missing kernel feature, broken sandbox) */
  blocker: string | null;
  /** a one-off message (confirmations, completions) */
  notice: { text: string; tone?: Tone } | null;
  line: LineState;
  mapOn: boolean;
  topology: Topology | null;
  /** a recognised mistake: what it teaches, and what undoes it */
  mistake: { text: string; repair: readonly string[] } | null;
  /** lines typed ahead, waiting */
  queue: string[];
}

export interface Size {
  columns: number;
  rows: number;
}

export interface LiveFrame {
  lines: Line[];
  /** where the terminal cursor goes (column, row within these lines), null to hide it */
  cursor: { x: number; y: number } | null;
}

const PROMPT = '❯ ';
const MAX_TAIL = 10;

export function progressBar(finished: number, total: number, width: number): Seg[] {
  const filled = total > 0 ? Math.round((finished / total) * width) : 0;
  return [seg('█'.repeat(filled), 'ok'), seg('░'.repeat(Math.max(0, width - filled)), 'dim')];
}

export function headerLine(h: Header | null, lang: Lang, width: number): Line {
  if (!h) return fitLine([seg('── ', 'dim'), seg('ipip-tutor', 'title'), seg(' ──', 'dim')], width);
  const count = `${h.finished}/${h.total}`;
  const barW = width >= 60 ? 10 : width >= 40 ? 5 : 0;
  const right: Seg[] = barW ? [seg(' '), ...progressBar(h.finished, h.total, barW), seg(` ${count}`, 'dim')] : [seg(` ${count}`, 'dim')];
  const rightW = lineWidth(right);
  const stepOf = ` (${h.stepNo}/${h.stepCount})`;
  // a lesson's first step often shares its title: say it once
  const titles: Seg[] =
    h.stepTitle === h.lessonTitle
      ? [seg(h.stepTitle, 'title')]
      : [seg(h.lessonTitle, 'accent'), seg(' › ', 'dim'), seg(h.stepTitle, 'title')];
  const left: Seg[] = [seg(`${h.lessonNo}/${h.lessonCount} `, 'dim'), ...titles, seg(stepOf, 'dim')];
  const room = Math.max(4, width - rightW - 4);
  const l = fitLine(left, room);
  const fill = Math.max(1, width - 3 - lineWidth(l) - rightW);
  return fitLine([seg('─ ', 'dim'), ...l, seg(' ' + '─'.repeat(fill - 1), 'dim'), ...right], width);
}

/** Inline code marks (`…`) are markdown; the live panel is plain text. */
const unquote = (text: string) => text.replace(/`([^`]+)`/g, '$1');

function goalLines(m: LiveModel, width: number): Line[] {
  const { lang } = m;
  if (m.courseDone) return wrapSegs(seg('✓ ', 'ok'), tu(lang, 'ui_course_done', { key: keysFor('menu') }), width, 'ok');
  if (m.stepKind === 'reading') return [line(tu(lang, 'ui_reading_continue'), 'dim')];
  if (m.passed) return [[seg('✓ ', 'ok'), seg(tu(lang, 'ui_step_complete'), 'ok')]];
  const shown = m.mapOn ? m.checks.filter((c) => !c.ok) : m.checks;
  const title = m.mapOn ? tu(lang, 'ui_still_missing') : tu(lang, 'ui_goal');
  const out: Line[] = [];
  if (m.stepKind !== 'quiz') out.push([seg(title, 'title')]);
  for (const c of shown) {
    const mark = c.pending ? seg('? ', 'accent') : c.ok ? seg('✓ ', 'ok') : seg('✗ ', 'bad');
    out.push(...wrapSegs(mark, unquote(c.text), width, c.pending ? 'accent' : undefined));
    for (const s of c.sub ?? []) out.push(...wrapSegs(seg('  ↳ ', 'dim'), unquote(s), width, 'dim'));
  }
  if (m.mistake) {
    out.push(...wrapSegs(seg('! ', 'warn'), unquote(m.mistake.text), width, 'warn'));
    for (const r of m.mistake.repair) out.push(...wrapSegs(seg(`  ${tu(lang, 'ui_repair')}: `, 'dim'), r, width, 'title'));
  }
  return out;
}

/** Cut a block to `n` lines, saying how many were left out. */
function clamp(lines: Line[], n: number, lang: Lang, width: number): Line[] {
  if (lines.length <= n) return lines;
  if (n <= 0) return [];
  const kept = lines.slice(0, n - 1);
  return [...kept, fitLine(line(tu(lang, 'ui_more_checks', { n: lines.length - kept.length }), 'dim'), width)];
}

function busyLine(b: Busy, spinner: string, lang: Lang, width: number): Line {
  const stop = tu(lang, 'ui_stop_hint', { key: 'Ctrl-C' });
  let label: Seg[];
  switch (b.kind) {
    case 'boot':
      label = [seg(b.phase ? tu(lang, 'ui_boot_phase', { phase: b.phase }) : tu(lang, 'ui_boot'))];
      break;
    case 'ff':
      label =
        b.total > 0 && b.command
          ? [seg(tu(lang, 'ui_ff_replaying', { done: b.done + 1, total: b.total, command: b.command }))]
          : [seg(b.phase ? tu(lang, 'ui_boot_phase', { phase: b.phase }) : tu(lang, 'ui_ff_preparing'))];
      break;
    case 'run':
      label = [seg(`${tu(lang, 'ui_running')}: `, 'dim'), seg(b.command, 'title')];
      break;
    case 'solve':
      label = [seg(`${tu(lang, 'ui_solving')}: `, 'dim'), seg(b.command, 'title')];
      break;
    case 'work':
      label = [seg(tu(lang, 'ui_working'), 'dim')];
      break;
  }
  const tail = b.kind === 'work' ? [] : [seg(`  (${stop})`, 'dim')];
  const tailW = lineWidth(tail);
  const body = fitLine([seg(`${spinner} `, 'accent'), ...label], Math.max(1, width - tailW));
  return [...body, ...(lineWidth(body) + tailW <= width ? tail : [])];
}

function outputTail(b: Busy | null, n: number, width: number): Line[] {
  if (!b || (b.kind !== 'run' && b.kind !== 'solve') || n <= 0) return [];
  const rows = wrapText(b.output.replace(/\n$/, ''), width).filter((_, i, a) => !(i === a.length - 1 && a[i] === ''));
  if (rows.length === 1 && rows[0] === '') return [];
  return rows.slice(-n).map((r) => [seg(r)]);
}

export function footerLine(lang: Lang, width: number, opts: { passed: boolean }): Line {
  const items: [string, string][] = [
    ...(opts.passed ? ([['Enter', tu(lang, 'ui_footer_next')]] as [string, string][]) : []),
    [keysFor('hint'), tu(lang, 'ui_footer_hint')],
    [keysFor('solve'), tu(lang, 'ui_footer_solve')],
    ['Esc', tu(lang, 'ui_footer_menu')],
    [keysFor('map'), tu(lang, 'ui_footer_map')],
    ['?', tu(lang, 'ui_footer_keys')],
  ];
  const out: Seg[] = [];
  for (const [k, label] of items) {
    const piece: Seg[] = [seg(out.length ? '  ' : ''), seg(k, 'key'), seg(` ${label}`, 'dim')];
    if (lineWidth([...out, ...piece]) > width) break;
    out.push(...piece);
  }
  return out;
}

function promptLine(m: LiveModel, width: number): { line: Line; cursorX: number | null } {
  const promptW = widthOf(PROMPT);
  const v = visibleLine(m.line, Math.max(2, width - promptW));
  const busy = m.busy !== null;
  return {
    line: [seg(PROMPT, busy ? 'dim' : 'accent'), seg(v.text, busy ? 'dim' : undefined)],
    cursorX: promptW + v.cursorCol,
  };
}

export function buildLive(m: LiveModel, size: Size): LiveFrame {
  const width = Math.max(10, size.columns);
  const budget = Math.max(3, size.rows - 1);
  const { lang } = m;
  const header = headerLine(m.header, lang, width);
  const prompt = promptLine(m, width);
  const busy = m.busy ? [busyLine(m.busy, m.spinner, lang, width)] : [];
  let left = budget - 2 - busy.length;

  const take = (lines: Line[], max = left): Line[] => {
    const got = lines.slice(0, Math.max(0, Math.min(max, left)));
    left -= got.length;
    return got;
  };
  const blocker = m.blocker ? take(wrapSegs(seg('! ', 'warn'), m.blocker, width, 'warn'), 4) : [];
  const notice = m.notice ? take(wrapSegs(null, m.notice.text, width, m.notice.tone), 3) : [];
  const queued = m.queue.length ? take([fitLine(line(tu(lang, 'ui_queued', { lines: m.queue.join(' ⏎ ') }), 'dim'), width)], 1) : [];
  const booting = m.busy?.kind === 'boot' || (m.busy?.kind === 'ff' && !m.header);
  // while a command runs its output matters; the goal is re-checked when it ends
  const running = m.busy?.kind === 'run' || m.busy?.kind === 'solve';
  const goalAll = booting || running || !m.header ? [] : goalLines(m, width);
  // the goal gets what is left after the prompt, header, notices, and a footer line
  const goalRoom = left >= 2 ? left - 1 : left;
  const goal = goalAll.length && goalRoom > 0 ? clamp(goalAll, Math.min(goalAll.length, goalRoom), lang, width) : [];
  left -= goal.length;
  const footer = left >= 1 && width >= 30 ? take([footerLine(lang, width, { passed: m.passed || m.stepKind === 'reading' })]) : [];
  const tail = take(outputTail(m.busy, Math.min(MAX_TAIL, left), width));
  let map: Line[] = [];
  if (m.mapOn && m.topology && !booting) {
    const drawn = renderMap(m.topology, width, lang);
    if (drawn.length <= left) map = take(drawn);
    else if (left >= 1) map = take([line(tu(lang, 'ui_map_hidden'), 'dim')]);
  }
  if (booting) {
    // The prompt takes type-ahead while the sandbox starts: it runs once the sandbox is up.
    const lines = [header, ...busy, ...notice, ...queued, prompt.line];
    return { lines: lines.map((l) => fitLine(l, width)), cursor: { x: Math.min(prompt.cursorX ?? 0, width - 1), y: lines.length - 1 } };
  }
  const lines: Line[] = [header, ...map, ...goal, ...tail, ...busy, ...blocker, ...notice, ...queued, prompt.line, ...footer];
  const y = lines.indexOf(prompt.line);
  return {
    lines: lines.map((l) => fitLine(l, width)),
    cursor: prompt.cursorX === null ? null : { x: Math.min(prompt.cursorX, width - 1), y },
  };
}

/** A plain-text rendering of lines (tests, and measuring). */
export function linesToText(lines: Line[]): string {
  return lines.map((l) => l.map((s) => s.text).join('')).join('\n');
}
