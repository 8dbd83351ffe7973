import { joinSoftBreaks } from '../../src/ui/markdown.js';

// The house style of lessons/README.md ("Style and glossary") as functions, shared by the lesson
// style test and the message catalog style test: full-width punctuation and CJK/Latin spacing in
// Chinese prose, no Chinese in English prose, the glossary's terms and the words it avoids.
// Code spans and code blocks are exempt: they are what the learner types or sees, not prose.

export const CODE = '\uE000'; // stands for a code span: typeset like a Latin word
export const FULL_PUNCT = '，。：；？！、（）“”‘’「」《》';

/**
 * The prose of a markdown text as the learner sees it: code blocks dropped, each paragraph or
 * list item joined as the renderer joins soft line breaks, code spans replaced by CODE,
 * emphasis markers removed.
 */
export function prose(md: string): string[] {
  const noBlocks = md.replace(/^```[^\n]*\n[\s\S]*?^```[ \t]*$/gm, '\n');
  const blocks: string[] = [];
  let cur: string[] = [];
  const flush = () => {
    if (cur.length) blocks.push(cur.join('\n'));
    cur = [];
  };
  for (const line of noBlocks.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    const item = /^\s*(?:[-*+]|\d+\.)\s+(.*)$/.exec(line);
    if (item) {
      flush();
      cur.push(item[1]!);
    } else cur.push(line.trim());
  }
  flush();
  return blocks.map((b) =>
    joinSoftBreaks(b)
      .replace(/`[^`]*`/g, CODE)
      .replace(/\*/g, '')
      .trim(),
  );
}

/** Quotations (of the article, of an error message) are not held to the glossary. */
export const unquoted = (s: string) => s.replace(/“[^”]*”/g, ' ').replace(/"[^"]*"/g, ' ');

/** Problems with the punctuation and spacing of one Chinese text. */
export function zhProblems(text: string): string[] {
  const out: string[] = [];
  const latin = `[A-Za-z0-9${CODE}]`;
  const rules: [RegExp, string][] = [
    [/[,;:?!()"]/u, 'half-width punctuation in Chinese prose (use ，；：？！（）“”)'],
    [/(?<![A-Za-z0-9])\.|\.(?![A-Za-z0-9])/u, 'a half-width full stop in Chinese prose (use 。)'],
    [new RegExp(`\\p{Script=Han}${latin}|${latin}\\p{Script=Han}`, 'u'), 'no space between a Chinese character and Latin text or code'],
    [/\p{Script=Han} +\p{Script=Han}/u, 'a space between two Chinese characters'],
    [new RegExp(`\\s[${FULL_PUNCT}]|[${FULL_PUNCT}]\\s`, 'u'), 'a space next to full-width punctuation'],
  ];
  // A quotation (of the article, say) is reproduced as it is: check only around it.
  for (const p of prose(text).map((b) => b.replace(/“[^”]*”/g, '“引”')))
    for (const [re, why] of rules) {
      const m = re.exec(p);
      if (m) out.push(`${why}: …${p.slice(Math.max(0, m.index - 12), m.index + 14)}…`);
    }
  return out;
}

/** Problems with one English text: Chinese characters or full-width punctuation in prose. */
export function enProblems(text: string): string[] {
  const out: string[] = [];
  for (const p of prose(text)) {
    const m = new RegExp(`\\p{Script=Han}|[${FULL_PUNCT}]`, 'u').exec(p);
    if (m) out.push(`Chinese in English prose: …${p.slice(Math.max(0, m.index - 12), m.index + 14)}…`);
  }
  return out;
}

export interface GlossaryRow {
  en: string[];
  zh: string[];
  avoidEn: string[];
  avoidZh: string[];
}

/** The glossary table of lessons/README.md ("Style and glossary"). */
export function readGlossary(readme: string): GlossaryRow[] {
  const section = readme.split(/^### Style and glossary$/m)[1]?.split(/^### /m)[0] ?? '';
  const cells = (s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  return section
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*(English|---)/.test(l))
    .map((l) => l.split('|').slice(1, -1))
    .map(([en = '', zh = '', avoidEn = '', avoidZh = '']) => ({
      en: cells(en),
      zh: cells(zh),
      avoidEn: cells(avoidEn),
      avoidZh: cells(avoidZh),
    }));
}

export const word = (w: string) => new RegExp(`(?<![\\w-])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'i');
export const plain = (text: string) => unquoted(prose(text).join('\n'));

/** A message catalog as the style check sees it: both languages, key by key. */
export interface MessageCatalog {
  en: Record<string, string>;
  zh: Partial<Record<string, string>>;
}

const placeholders = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/**
 * Placeholders the English glues to the word before them (`{to}{ttl}`, `packet{where}`): their
 * values are fragments that bring their own leading space or punctuation (` (ttl=64)`).
 */
const fragments = (en: string) => new Set([...en.matchAll(/(?<=[\w}])\{(\w+)\}/g)].map((m) => m[1]!));

/**
 * The prose of one message: a usage text's aligned columns (two or more spaces apart) are
 * separate phrases, the columns that hold commands and flags are not prose, a placeholder
 * `{name}` is typeset like a code span (its value is a name, an address or a number), and a
 * fragment placeholder is left out.
 */
export function messageProse(text: string, lang: 'en' | 'zh', fragment = new Set<string>()): string[] {
  return text
    .split('\n')
    .flatMap((l) => l.trim().split(/\s{2,}/))
    .filter((s) => s && (lang === 'en' || /\p{Script=Han}/u.test(s)))
    .map((s) => s.replace(/\{(\w+)\}/g, (_m, k: string) => (fragment.has(k) ? '' : '`x`')));
}

/**
 * Every problem of a catalog: a key missing in Chinese, placeholders that differ, Chinese prose
 * breaking the punctuation and spacing rules, English prose with Chinese in it, a word the
 * glossary avoids, and an English glossary term whose Chinese term is missing from the
 * translation (a message without Chinese is a name, the same in both). `allowChineseInEnglish` names keys whose English shows a Chinese word on
 * purpose (the language switch names 中文 in its own script).
 */
export function catalogProblems(catalog: MessageCatalog, glossary: GlossaryRow[], allowChineseInEnglish: string[] = []): string[] {
  const out: string[] = [];
  for (const [key, en] of Object.entries(catalog.en)) {
    const zh = catalog.zh[key];
    if (zh === undefined) {
      out.push(`${key}: no Chinese`);
      continue;
    }
    if (placeholders(zh).join() !== placeholders(en).join())
      out.push(`${key}: placeholders {${placeholders(en).join('}, {')}} in English, {${placeholders(zh).join('}, {')}} in Chinese`);
    const zhProse = messageProse(zh, 'zh', fragments(en));
    const enProse = messageProse(en, 'en', fragments(en));
    for (const p of zhProse) for (const problem of zhProblems(p)) out.push(`${key}: ${problem}`);
    if (!allowChineseInEnglish.includes(key)) for (const p of enProse) for (const problem of enProblems(p)) out.push(`${key}: ${problem}`);
    const z = unquoted(zhProse.flatMap(prose).join('\n'));
    const e = unquoted(enProse.flatMap(prose).join('\n'));
    for (const row of glossary) {
      for (const w of row.avoidZh) if (z.includes(w)) out.push(`${key}: "${w}" (the glossary says ${row.zh.join('/')})`);
      for (const w of row.avoidEn) if (word(w).test(e)) out.push(`${key}: "${w}" in English (the glossary says ${row.en[0]})`);
      // a message with no Chinese in it is a name in both languages (`net-tools (route)`)
      const used = zhProse.length > 0 && row.en.find((w) => word(w).test(e));
      if (used && !row.zh.some((t) => z.includes(t))) out.push(`${key}: "${used}" but none of ${row.zh.join('/')} in Chinese`);
    }
  }
  return out;
}
