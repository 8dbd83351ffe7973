import { graphemes, widthOf } from '../text/width.js';

// Pure text helpers for the terminal: make command output safe to print and keep it within
// bounds. Widths, cutting and wrapping live in src/text/width.ts (re-exported here for the UI).
export { graphemes, padTo, truncate, widthOf, wrapLine, wrapText } from '../text/width.js';

/** Limits on what is kept of one command's output. */
export interface OutputLimits {
  maxChars: number;
  maxLines: number;
}
export const OUTPUT_LIMITS: OutputLimits = { maxChars: 64_000, maxLines: 400 };

// ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/APC/PM/SOS (… BEL or ESC \), two-byte ESC x.
const ESCAPES =
  // eslint-disable-next-line no-control-regex
  /\u001B\[[0-?]*[ -/]*[@-~]|\u001B[\]PX^_][\s\S]*?(?:\u0007|\u001B\\|$)|\u001B[ -/]*[0-~]?|\u009B[0-?]*[ -/]*[@-~]/g;
// C0 controls other than \t and \n, DEL, C1 controls, and bidi overrides/isolates that reorder what follows.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  let col = 0;
  for (const g of graphemes(line)) {
    if (g === '\t') {
      const n = 8 - (col % 8);
      out += ' '.repeat(n);
      col += n;
    } else {
      out += g;
      col += widthOf(g);
    }
  }
  return out;
}

/**
 * Make command output printable: drop escape sequences (colours, cursor moves, terminal
 * queries), resolve carriage-return overwrites (progress bars), expand tabs, and show any
 * other control byte as `?`, so binary output cannot break the screen.
 */
export function sanitizeOutput(text: string): string {
  const noEsc = text.replace(ESCAPES, '');
  return noEsc
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => {
      // A lone \r returns to column 0: what follows overwrites what was there.
      const parts = line.split('\r');
      let shown = '';
      for (const p of parts) shown = p + shown.slice(p.length);
      return expandTabs(shown.replaceAll('\b', '').replace(CONTROLS, '?'));
    })
    .join('\n');
}

/** Keep the end of a growing output within the caps; says how many lines were dropped. */
export function capOutput(text: string, limits: OutputLimits = OUTPUT_LIMITS): { text: string; dropped: number } {
  let t = text;
  let dropped = 0;
  if (t.length > limits.maxChars) {
    const cut = t.length - limits.maxChars;
    dropped += countNewlines(t.slice(0, cut)) + 1;
    t = t.slice(cut);
    const nl = t.indexOf('\n');
    t = nl >= 0 ? t.slice(nl + 1) : t;
  }
  const lines = t.split('\n');
  if (lines.length > limits.maxLines) {
    dropped += lines.length - limits.maxLines;
    t = lines.slice(-limits.maxLines).join('\n');
  }
  return { text: t, dropped };
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
