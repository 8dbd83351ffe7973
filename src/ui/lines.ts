import { graphemes, widthOf, wrapText } from './text.js';

// The live part of the screen is built as explicit lines of styled segments, so its height
// and width are known exactly before ink draws it: it always fits the terminal.
export type Tone = 'ok' | 'bad' | 'warn' | 'dim' | 'accent' | 'title' | 'key' | 'hint';

export interface Seg {
  text: string;
  tone?: Tone;
}
/** A line of segments; `whole` lines (commands to copy) are printed unwrapped and uncut. */
export type Line = Seg[] & { whole?: true };

export function wholeLine(segs: Seg[]): Line {
  const l: Line = [...segs];
  l.whole = true;
  return l;
}

export const seg = (text: string, tone?: Tone): Seg => (tone ? { text, tone } : { text });
export const line = (text: string, tone?: Tone): Line => [seg(text, tone)];
export const blank = (): Line => [];

export function lineText(l: Line): string {
  return l.map((s) => s.text).join('');
}

export function lineWidth(l: Line): number {
  return widthOf(lineText(l));
}

/** Cut a line to `width` columns (… at the cut). */
export function fitLine(l: Line, width: number): Line {
  if (lineWidth(l) <= width) return l;
  const out: Line = [];
  let room = width - 1;
  for (const s of l) {
    const w = widthOf(s.text);
    if (w <= room) {
      out.push(s);
      room -= w;
      continue;
    }
    let cut = '';
    for (const g of graphemes(s.text)) {
      const gw = widthOf(g);
      if (gw > room) break;
      cut += g;
      room -= gw;
    }
    if (cut) out.push({ ...s, text: cut });
    break;
  }
  out.push(seg('…', 'dim'));
  return out;
}

/** Pad a line with spaces to exactly `width` columns (cutting if needed). */
export function padLine(l: Line, width: number): Line {
  const f = fitLine(l, width);
  const w = lineWidth(f);
  return w < width ? [...f, seg(' '.repeat(width - w))] : f;
}

/** Wrap plain text with one tone into lines, with an optional first-line prefix and hanging indent. */
export function wrapSegs(prefix: Seg | null, text: string, width: number, tone?: Tone): Line[] {
  const pw = prefix ? widthOf(prefix.text) : 0;
  const rows = wrapText(text, Math.max(1, width - pw));
  return rows.map((r, i) => {
    const head = prefix ? (i === 0 ? prefix : seg(' '.repeat(pw))) : null;
    return head ? [head, seg(r, tone)] : [seg(r, tone)];
  });
}
