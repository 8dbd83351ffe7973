import stringWidth from 'string-width';

// Display width of terminal text, and cutting, padding and wrapping by it (CJK characters take
// two columns; ANSI colours take none and carry over wrapped lines). The one width module: the
// interface and `tutor flow` both measure with it.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function graphemes(s: string): string[] {
  return Array.from(segmenter.segment(s), (x) => x.segment);
}

export { stringWidth as widthOf };

/** Cut plain text to at most `width` columns, ending with … when something was cut. */
export function truncate(text: string, width: number, ellipsis = '…'): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  const room = width - stringWidth(ellipsis);
  let out = '';
  let w = 0;
  for (const g of graphemes(text)) {
    const gw = stringWidth(g);
    if (w + gw > room) break;
    out += g;
    w += gw;
  }
  return room >= 0 ? out + ellipsis : out;
}

/** Spaces after plain text up to `width` columns (nothing is cut). */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

/** Spaces before plain text up to `width` columns (nothing is cut). */
export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - stringWidth(text))) + text;
}

/** Pad plain text with spaces to exactly `width` columns (cutting it if longer). */
export function padTo(text: string, width: number): string {
  const t = truncate(text, width);
  return t + ' '.repeat(Math.max(0, width - stringWidth(t)));
}

// ---- wrapping (ANSI-aware) ----

// Line-breaking rules for Chinese (禁则): a line never starts with closing punctuation, nor ends
// with opening punctuation; each sticks to its neighbour, so the pair moves to the next line.
const NO_BREAK_BEFORE = new Set(Array.from('，。、；：！？）》」』】〉”’,.;:!?)…'));
const NO_BREAK_AFTER = new Set(Array.from('（《「『【〈“‘'));

interface Atom {
  text: string;
  width: number;
  space: boolean;
}

/** Display width of one grapheme; printable ASCII (nearly all of it) without the general lookup. */
function cellWidth(g: string): number {
  if (g.length === 1) {
    const c = g.charCodeAt(0);
    if (c >= 0x20 && c < 0x7f) return 1;
  }
  return stringWidth(g);
}

// eslint-disable-next-line no-control-regex
const SGR_SPLIT = /(\u001B\[[0-9;]*m)/;

/**
 * Split a line into unbreakable atoms: words, single spaces, single wide characters. ANSI codes
 * and opening punctuation stick to the next atom, closing punctuation to the one before.
 */
function atoms(line: string): Atom[] {
  const out: Atom[] = [];
  let pendingCodes = '';
  let pendingWidth = 0; // of opening punctuation waiting for the next atom
  let word: Atom | null = null;
  const flush = () => {
    if (word) out.push(word);
    word = null;
  };
  // Odd parts are SGR codes; each text part is segmented once (per-grapheme re-segmenting was quadratic).
  line.split(SGR_SPLIT).forEach((part, idx) => {
    if (idx % 2 === 1) {
      if (word) word.text += part;
      else pendingCodes += part;
      return;
    }
    for (const { segment: g } of segmenter.segment(part)) {
      const w = cellWidth(g);
      if (g === ' ') {
        flush();
        out.push({ text: pendingCodes + g, width: 1 + pendingWidth, space: true });
        pendingCodes = '';
        pendingWidth = 0;
      } else if (NO_BREAK_AFTER.has(g)) {
        flush();
        pendingCodes += g;
        pendingWidth += w;
      } else if (w >= 2 && !NO_BREAK_BEFORE.has(g)) {
        flush();
        word = { text: pendingCodes + g, width: w + pendingWidth, space: false };
        pendingCodes = '';
        pendingWidth = 0;
        flush();
      } else if (NO_BREAK_BEFORE.has(g) && !word && !pendingWidth && out.length > 0 && !out[out.length - 1]!.space) {
        // keep closing punctuation with what precedes it
        const prev = out[out.length - 1]!;
        prev.text += pendingCodes + g;
        prev.width += w;
        pendingCodes = '';
      } else {
        if (!word) {
          word = { text: pendingCodes, width: pendingWidth, space: false };
          pendingCodes = '';
          pendingWidth = 0;
        }
        word.text += g;
        word.width += w;
      }
    }
  });
  flush();
  if (pendingCodes) out.push({ text: pendingCodes, width: pendingWidth, space: false });
  return out;
}

/** SGR state after a piece of text: the codes in effect since the last reset. */
function sgrAfter(state: string[], text: string): string[] {
  // eslint-disable-next-line no-control-regex
  const re = /\u001B\[([0-9;]*)m/g;
  let s = state;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const p = m[1] ?? '';
    if (p === '' || p === '0') s = [];
    else s = [...s, m[0]];
  }
  return s;
}

const RESET = '\u001B[0m';

/** SGR codes and graphemes, in order. */
function ansiTokens(s: string): string[] {
  const out: string[] = [];
  // eslint-disable-next-line no-control-regex
  for (const part of s.split(/(\u001B\[[0-9;]*m)/)) {
    if (!part) continue;
    if (part.startsWith('\u001B[')) out.push(part);
    else out.push(...graphemes(part));
  }
  return out;
}

const tokenWidth = (t: string) => (t.startsWith('\u001B') ? 0 : stringWidth(t));

/**
 * Where to cut a word too long for the line, at or before `fit` tokens, so that the next line
 * does not start with closing punctuation nor this one end with opening punctuation; 0 if no
 * such place fits (the caller then breaks where it must).
 */
function kinsokuCut(toks: string[], fit: number): number {
  const next = (k: number) => toks.slice(k).find((t) => tokenWidth(t) > 0) ?? '';
  const prev = (k: number) =>
    toks
      .slice(0, k)
      .reverse()
      .find((t) => tokenWidth(t) > 0) ?? '';
  let k = fit;
  while (k > 0 && k < toks.length && (NO_BREAK_BEFORE.has(next(k)) || NO_BREAK_AFTER.has(prev(k)))) k--;
  return k;
}

/** Leading spaces plus a list bullet, so wrapped list items hang under their text. */
function hangingIndent(plainLine: string, width: number): number {
  const m = /^(\s*)([*•\-+]\s|\d+[.)]\s)?/.exec(plainLine);
  const n = (m?.[1]?.length ?? 0) + (m?.[2]?.length ?? 0);
  return n < width / 2 ? n : 0;
}

/** Wrap one line (no newlines) to `width` columns; ANSI colours continue on the next line. */
export function wrapLine(line: string, width: number): string[] {
  if (width <= 0) return [''];
  if (stringWidth(line) <= width) return [line];
  // eslint-disable-next-line no-control-regex
  const indent = ' '.repeat(hangingIndent(line.replace(/\u001B\[[0-9;]*m/g, ''), width));
  const lines: string[] = [];
  let cur = '';
  let curW = 0;
  let state: string[] = [];
  let lineStartState: string[] = [];
  const endLine = () => {
    const open = sgrAfter(lineStartState, cur).length > 0;
    lines.push(lineStartState.join('') + cur.replace(/ +$/, '') + (open ? RESET : ''));
    lineStartState = state;
    cur = indent;
    curW = indent.length;
  };
  for (const a of atoms(line)) {
    if (a.space && curW + a.width > width) {
      // a space at the break point disappears
      state = sgrAfter(state, a.text);
      endLine();
      continue;
    }
    if (curW + a.width > width && curW > indent.length) endLine();
    if (a.space && curW === indent.length && lines.length > 0) {
      state = sgrAfter(state, a.text);
      continue; // no leading space on a continuation line
    }
    if (a.width > width - curW) {
      // a word longer than a whole line: cut it by graphemes
      let rest = a.text;
      while (rest) {
        const toks = ansiTokens(rest);
        let fit = 0;
        for (let pw = 0; fit < toks.length; fit++) {
          const gw = tokenWidth(toks[fit]!);
          if (curW + pw + gw > width && pw + curW > indent.length) break;
          pw += gw;
        }
        const cut = kinsokuCut(toks, fit);
        if (cut === 0 && curW > indent.length) {
          endLine(); // the word's first piece cannot end this line: start it on the next
          continue;
        }
        const piece = toks.slice(0, cut || fit).join('');
        cur += piece;
        curW += stringWidth(piece);
        state = sgrAfter(state, piece);
        rest = rest.slice(piece.length);
        if (rest) endLine();
      }
      continue;
    }
    cur += a.text;
    curW += a.width;
    state = sgrAfter(state, a.text);
  }
  if (cur.trim() || lines.length === 0) lines.push(lineStartState.join('') + cur + (sgrAfter(lineStartState, cur).length ? RESET : ''));
  return lines;
}

/** Wrap a multi-line text; every resulting line fits in `width` columns. */
export function wrapText(text: string, width: number): string[] {
  return text.split('\n').flatMap((l) => wrapLine(l, width));
}
