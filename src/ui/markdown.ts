import { stripVTControlCharacters } from 'node:util';
import { Marked } from 'marked';
import { markedTerminal } from 'marked-terminal';
import { seg, wholeLine, type Line } from './lines.js';
import { widthOf, wrapText } from './text.js';

// A step's explanation, markdown -> terminal text. Pure in (text, width): every call gets its
// own Marked instance configured for that width, never the global `marked`.

// Everything but colours (SGR): hyperlinks and cursor codes have no place in a step's text.
// eslint-disable-next-line no-control-regex
const OTHER_ESC = /\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B\[[0-9;?]*[A-Za-ln-z]/g;

export interface MarkdownOptions {
  /** false: plain text, no ANSI styles at all (NO_COLOR). */
  color?: boolean;
}

/** Source line breaks inside a paragraph are soft: a space between words, nothing between CJK characters. */
export function joinSoftBreaks(text: string): string {
  return text.replace(/(.?)[ \t]*\n[ \t]*(.?)/gu, (_m, a: string, b: string) => {
    const cjk = (a && widthOf(a) === 2) || (b && widthOf(b) === 2);
    return a + (cjk ? '' : ' ') + b;
  });
}

function makeMarked(width: number): Marked {
  return new Marked({
    walkTokens(token) {
      if (token.type === 'text' && !('tokens' in token && token.tokens)) token.text = joinSoftBreaks(token.text);
    },
  }).use(
    markedTerminal(
      {
        width,
        reflowText: false, // we wrap by display width ourselves (CJK takes two columns)
        showSectionPrefix: false,
        emoji: false,
        tab: 2,
      },
      { language: 'bash', ignoreIllegals: true },
    ),
    {
      renderer: {
        // marked-terminal renders a list item's text token from its raw text, so **bold** and
        // `code` inside list items came out literally; render its inline tokens instead.
        text(token) {
          if ('tokens' in token && token.tokens) return this.parser.parseInline(token.tokens);
          return false;
        },
      },
    },
  );
}

/** Markdown split at fenced code blocks: prose is wrapped to the width, code never is. */
function blocks(text: string): { code: boolean; text: string }[] {
  const out: { code: boolean; text: string }[] = [];
  const fence = /^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm;
  let at = 0;
  for (const m of text.matchAll(fence)) {
    if (m.index > at) out.push({ code: false, text: text.slice(at, m.index) });
    out.push({ code: true, text: m[0] });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ code: false, text: text.slice(at) });
  return out;
}

const isBlank = (l: string) => stripVTControlCharacters(l).trim() === '';

function renderBlock(text: string, width: number, opts: MarkdownOptions): string[] {
  const raw = makeMarked(width).parse(text, { async: false }) as string;
  const out = (opts.color === false ? stripVTControlCharacters(raw) : raw.replace(OTHER_ESC, '')).replace(/\r/g, '');
  return out.split('\n').map((l) => (isBlank(l) ? '' : l.replace(/\s+$/, '')));
}

/**
 * Render markdown for a terminal `width` columns wide, as lines. Prose never runs wider than
 * `width`; a code block's lines are kept whole (marked `whole`), so a command copied from the
 * screen is the command: a line too wide for the terminal is wrapped by the terminal, not by us.
 */
export function renderMarkdown(text: string, width: number, opts: MarkdownOptions = {}): Line[] {
  const w = Math.max(10, Math.floor(width));
  const rows: Line[] = [];
  for (const b of blocks(text)) {
    if (b.code) for (const l of renderBlock(b.text, 10_000, opts)) rows.push(isBlank(l) ? [] : wholeLine([seg(l)]));
    else for (const l of wrapText(renderBlock(b.text, w, opts).join('\n'), w)) rows.push(isBlank(l) ? [] : [seg(l.replace(/\s+$/, ''))]);
  }
  // marked-terminal ends blocks with blank lines; keep single blank lines between blocks only.
  const trimmed: Line[] = [];
  for (const r of rows) {
    if (r.length === 0 && (trimmed.length === 0 || trimmed[trimmed.length - 1]!.length === 0)) continue;
    trimmed.push(r);
  }
  while (trimmed.length && trimmed[trimmed.length - 1]!.length === 0) trimmed.pop();
  return trimmed;
}
