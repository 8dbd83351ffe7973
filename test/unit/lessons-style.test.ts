import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/load.js';
import type { LessonText } from '../../src/course/schema.js';
import { renderMarkdown } from '../../src/ui/markdown.js';
import { enProblems, plain, readGlossary, word, zhProblems, type GlossaryRow } from '../helpers/style.js';

// The house style of the lesson texts (test/helpers/style.ts), checked on every text of both
// languages: the glossary of lessons/README.md (one term per concept, the words to avoid),
// full-width punctuation and CJK/Latin spacing in Chinese prose, no Chinese in English prose.

const course = loadCourse('lessons');

interface Field {
  where: string;
  text: string;
}

/** Every learner-visible text of one language, keyed so the two languages pair up. */
function fields(lang: 'en' | 'zh'): Map<string, string> {
  const out = new Map<string, string>();
  const title = course.title[lang];
  if (title) out.set('course.title', title);
  for (const l of course.lessons) {
    const t: LessonText | undefined = l.texts[lang];
    if (!t) continue;
    out.set(`${l.id}.title`, t.title);
    if (t.summary) out.set(`${l.id}.summary`, t.summary);
    for (const [sid, st] of Object.entries(t.steps)) {
      const at = `${l.id}/${sid}`;
      out.set(`${at}.title`, st.title);
      out.set(`${at}.body`, st.body);
      if (st.explain) out.set(`${at}.explain`, st.explain);
      for (const kind of ['hints', 'mistakes', 'breaks'] as const)
        for (const [k, v] of Object.entries(st[kind] ?? {})) out.set(`${at}.${kind}.${k}`, v);
    }
  }
  return out;
}

const glossary = readGlossary(readFileSync('lessons/README.md', 'utf8'));
const en = fields('en');
const zh = fields('zh');

function report(check: (f: Field) => string[], texts: Map<string, string>): string[] {
  return [...texts].flatMap(([where, text]) => check({ where, text }).map((p) => `${where}: ${p}`));
}

describe('the rules catch what they are for', () => {
  it('flags half-width punctuation, lost and stray spaces, and spares code', () => {
    expect(zhProblems('ipip 加载了吗?')).toHaveLength(1);
    expect(zhProblems('检查 ipip 模块;')).toHaveLength(1);
    expect(zhProblems('依赖 ip_tunnel 和\ntunnel4。')[0]).toMatch(/no space/);
    expect(zhProblems('在根网络命名空间 中执行。')[0]).toMatch(/two Chinese/);
    expect(zhProblems('执行`ip link`。')[0]).toMatch(/no space/);
    expect(zhProblems('外层IP头')[0]).toMatch(/no space/);
    expect(zhProblems('（ 例如 ）')).not.toEqual([]);
    expect(zhProblems('执行 `ip link show, up`，然后看 10.10.10.2/24 的 `state`。')).toEqual([]);
    expect(zhProblems('```\nip a; b: c\n```\n\n- **ipip**：把 IPv4 报文封装在 IPv4 中。\n- **sit**：IPv6 over IPv4。')).toEqual([]);
    expect(enProblems('Adding the envelope is encapsulation (封装).')).toHaveLength(1);
    expect(enProblems('Run `ip link`: the line `tunl0@NONE`.')).toEqual([]);
  });

  it('reads the glossary, with the terms the course is written in', () => {
    const zhTerms = glossary.flatMap((r) => r.zh);
    for (const t of ['网络命名空间', '接口', '设备', '隧道', '封装', '解封装', '外层 IP 头', '内层 IP 头', '报文', '底层网络'])
      expect(zhTerms).toContain(t);
    expect(glossary.find((r) => r.zh.includes('接口'))?.avoidZh).toContain('网卡');
  });
});

describe('lesson texts follow the house style', () => {
  it('Chinese prose: full-width punctuation, CJK/Latin spacing', () => {
    expect(report((f) => zhProblems(f.text), zh)).toEqual([]);
  });

  it('English prose: no Chinese characters or full-width punctuation', () => {
    expect(report((f) => enProblems(f.text), en)).toEqual([]);
  });

  it('neither language uses a word the glossary avoids', () => {
    const bad = (texts: Map<string, string>, pick: (r: GlossaryRow) => string[], isZh: boolean) =>
      report((f) => {
        const p = plain(f.text);
        return glossary.flatMap(pick).filter((w) => (isZh ? p.includes(w) : word(w).test(p)));
      }, texts);
    expect(bad(en, (r) => r.avoidEn, false)).toEqual([]);
    expect(bad(zh, (r) => r.avoidZh, true)).toEqual([]);
  });

  it('a glossary term in English has its Chinese term in the translation', () => {
    const missing: string[] = [];
    for (const [where, enText] of en) {
      const zhText = zh.get(where);
      if (zhText === undefined) continue;
      const e = plain(enText);
      const z = plain(zhText);
      for (const row of glossary) {
        const used = row.en.find((w) => word(w).test(e));
        if (used && !row.zh.some((t) => z.includes(t))) missing.push(`${where}: "${used}" but none of ${row.zh.join('/')}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('emphasis renders: no `*` is left over in what the learner sees (list bullets aside)', () => {
    // CommonMark will not close `**问题：**它` (a closing run after punctuation needs a space
    // or punctuation after it): write `**问题**：它`.
    const left = (texts: Map<string, string>) =>
      [...texts]
        .filter(([, t]) =>
          renderMarkdown(t, 200, { color: false })
            .map((l) => l.map((seg) => seg.text).join(''))
            .some((l) => l.replace(/^\s*\* /, '').includes('*')),
        )
        .map(([w]) => w);
    expect(left(en)).toEqual([]);
    expect(left(zh)).toEqual([]);
  });

  it('every lesson has a one-line summary in both languages', () => {
    for (const l of course.lessons)
      for (const lang of ['en', 'zh'] as const) {
        const s = l.texts[lang]?.summary;
        expect(s, `${l.id} ${lang}`).toBeTruthy();
        expect(s!.includes('\n'), `${l.id} ${lang}`).toBe(false);
      }
  });
});
