import { graphemes, widthOf } from './text.js';

// The prompt's line editing and history as a pure reducer: (state, edit) -> state.
export interface LineState {
  text: string;
  /** cursor as a UTF-16 index into text, always on a grapheme boundary */
  cursor: number;
  history: string[];
  /** index into history while browsing it; history.length = the line being typed */
  histPos: number;
  /** what was typed before browsing history, restored when browsing past the newest entry */
  draft: string;
}

export const MAX_HISTORY = 200;

export const emptyLine = (history: string[] = []): LineState => ({ text: '', cursor: 0, history, histPos: history.length, draft: '' });

export type Edit =
  | { type: 'insert'; text: string }
  | { type: 'backspace' }
  | { type: 'deleteChar' }
  | { type: 'deleteWord' }
  | { type: 'killLine' }
  | { type: 'killEnd' }
  | { type: 'left' }
  | { type: 'right' }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'historyPrev' }
  | { type: 'historyNext' }
  | { type: 'set'; text: string; cursor?: number }
  | { type: 'clear' }
  /** the line was submitted: remember it, start a new one */
  | { type: 'commit' };

/** Grapheme boundaries of a text, as UTF-16 indices (0 and text.length included). */
function bounds(text: string): number[] {
  const b = [0];
  let i = 0;
  for (const g of graphemes(text)) b.push((i += g.length));
  return b;
}
const prevBound = (text: string, at: number) => [...bounds(text)].reverse().find((x) => x < at) ?? 0;
const nextBound = (text: string, at: number) => bounds(text).find((x) => x > at) ?? text.length;

export function editLine(s: LineState, e: Edit): LineState {
  const { text, cursor } = s;
  switch (e.type) {
    case 'insert': {
      // pasted text: tabs become spaces, other control characters are dropped
      // eslint-disable-next-line no-control-regex
      const clean = e.text.replace(/\t/g, ' ').replace(/[\u0000-\u001F\u007F]/g, '');
      if (!clean) return s;
      return { ...s, text: text.slice(0, cursor) + clean + text.slice(cursor), cursor: cursor + clean.length };
    }
    case 'backspace': {
      if (cursor === 0) return s;
      const p = prevBound(text, cursor);
      return { ...s, text: text.slice(0, p) + text.slice(cursor), cursor: p };
    }
    case 'deleteChar': {
      if (cursor >= text.length) return s;
      return { ...s, text: text.slice(0, cursor) + text.slice(nextBound(text, cursor)) };
    }
    case 'deleteWord': {
      const before = text.slice(0, cursor).replace(/\S+\s*$|\s+$/, '');
      return { ...s, text: before + text.slice(cursor), cursor: before.length };
    }
    case 'killLine':
      return { ...s, text: text.slice(cursor), cursor: 0 };
    case 'killEnd':
      return { ...s, text: text.slice(0, cursor) };
    case 'left':
      return { ...s, cursor: prevBound(text, cursor) };
    case 'right':
      return { ...s, cursor: nextBound(text, cursor) };
    case 'home':
      return { ...s, cursor: 0 };
    case 'end':
      return { ...s, cursor: text.length };
    case 'historyPrev': {
      if (s.histPos === 0) return s;
      const draft = s.histPos === s.history.length ? text : s.draft;
      const t = s.history[s.histPos - 1]!;
      return { ...s, histPos: s.histPos - 1, text: t, cursor: t.length, draft };
    }
    case 'historyNext': {
      if (s.histPos >= s.history.length) return s;
      const pos = s.histPos + 1;
      const t = pos === s.history.length ? s.draft : s.history[pos]!;
      return { ...s, histPos: pos, text: t, cursor: t.length };
    }
    case 'set':
      return { ...s, text: e.text, cursor: e.cursor ?? e.text.length };
    case 'clear':
      return { ...s, text: '', cursor: 0, histPos: s.history.length, draft: '' };
    case 'commit': {
      const t = text.trim();
      const history = t && s.history[s.history.length - 1] !== t ? [...s.history, t].slice(-MAX_HISTORY) : s.history;
      return emptyLine(history);
    }
    default: {
      const never: never = e;
      throw new Error(`unknown edit ${JSON.stringify(never)}`);
    }
  }
}

/**
 * What of the line to show in `width` columns so the cursor stays visible, and where the
 * cursor is within what is shown (in columns).
 */
export function visibleLine(s: LineState, width: number): { text: string; cursorCol: number } {
  const w = Math.max(1, width - 1); // one column for the cursor at the end
  const before = s.text.slice(0, s.cursor);
  const gs = graphemes(s.text);
  if (widthOf(s.text) <= w) return { text: s.text, cursorCol: widthOf(before) };
  // scroll: start so that the cursor sits within the window, preferring to show the end
  let start = 0;
  let startIdx = 0;
  while (widthOf(s.text.slice(startIdx, s.cursor)) > w - 1 && start < gs.length) {
    startIdx += gs[start]!.length;
    start++;
  }
  let shown = '';
  let sw = 0;
  for (const g of gs.slice(start)) {
    const gw = widthOf(g);
    if (sw + gw > w) break;
    shown += g;
    sw += gw;
  }
  const head = start > 0 ? '…' : '';
  const body = head ? graphemes(shown).slice(1).join('') : shown;
  return { text: head + body, cursorCol: widthOf(s.text.slice(startIdx, s.cursor)) };
}
