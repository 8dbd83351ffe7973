import { Marked } from 'marked';
import { markedTerminal } from 'marked-terminal';
import { widthOf, wrapText } from './text.js';

// A step's explanation, markdown -> terminal text. Pure in (text, width): every call gets its
// own Marked instance configured for that width, never the global `marked`.

// eslint-disable-next-line no-control-regex
const SGR = /\u001B\[[0-9;]*m/g;
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

/** Render markdown for a terminal `width` columns wide. Returns lines joined by "\n"; none is wider than `width`. */
export function renderMarkdown(text: string, width: number, opts: MarkdownOptions = {}): string {
  const w = Math.max(10, Math.floor(width));
  const raw = makeMarked(w).parse(text, { async: false }) as string;
  let out = raw.replace(OTHER_ESC, '');
  if (opts.color === false) out = out.replace(SGR, '');
  // marked-terminal ends blocks with blank lines; keep single blank lines between blocks only.
  const lines = wrapText(out.replace(/\r/g, ''), w);
  const trimmed: string[] = [];
  for (const l of lines) {
    const blank = l.replace(SGR, '').trim() === '';
    if (blank && (trimmed.length === 0 || trimmed[trimmed.length - 1]!.replace(SGR, '').trim() === '')) continue;
    trimmed.push(blank ? '' : l.replace(/\s+$/, ''));
  }
  while (trimmed.length && trimmed[trimmed.length - 1] === '') trimmed.pop();
  return trimmed.join('\n');
}
