import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// README.zh-CN.md is README.md in Chinese. The prose is translated; the structure is not: the
// same level-2/level-3 sections in the same order, the same code blocks, and in each section the
// same tables with the same first column (commands, layers, packages). A section added to one
// README and not the other fails here, which is how the two stay in step.

interface Section {
  level: number;
  codeBlocks: string[];
  tables: string[][]; // each table's first column, header row left out
}

/** A README's outline: its sections (the part before the first `##` is section 0). */
export function outline(md: string): Section[] {
  const sections: Section[] = [{ level: 1, codeBlocks: [], tables: [] }];
  let fence: string[] | null = null;
  let table: string[] | null = null;
  for (const line of md.split('\n')) {
    const cur = sections[sections.length - 1]!;
    if (fence) {
      if (/^```\s*$/.test(line)) {
        cur.codeBlocks.push(fence.join('\n'));
        fence = null;
      } else fence.push(line);
      continue;
    }
    if (line.startsWith('```')) {
      fence = [];
      continue;
    }
    if (line.startsWith('|')) {
      const first = line.split('|')[1]!.trim();
      if (!table) cur.tables.push((table = []));
      else if (!/^-+$/.test(first)) table.push(first);
      continue;
    }
    table = null;
    const h = /^(#{2,3}) /.exec(line);
    if (h) sections.push({ level: h[1]!.length, codeBlocks: [], tables: [] });
  }
  return sections;
}

/** Where two READMEs differ in structure, section by section. */
export function drift(en: string, zh: string): string[] {
  const a = outline(en);
  const b = outline(zh);
  const out: string[] = [];
  const titles = (md: string) => ['(top)', ...[...md.matchAll(/^#{2,3} (.*)$/gm)].map((m) => m[1]!)];
  const [ta, tb] = [titles(en), titles(zh)];
  if (a.length !== b.length) out.push(`${a.length - 1} sections in README.md, ${b.length - 1} in README.zh-CN.md`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const where = `section ${i} ("${ta[i]}" / "${tb[i]}")`;
    if (a[i]!.level !== b[i]!.level) out.push(`${where}: level ${a[i]!.level} vs ${b[i]!.level}`);
    if (JSON.stringify(a[i]!.codeBlocks) !== JSON.stringify(b[i]!.codeBlocks)) out.push(`${where}: the code blocks differ`);
    if (JSON.stringify(a[i]!.tables) !== JSON.stringify(b[i]!.tables))
      out.push(`${where}: the tables differ (count, rows or first column)`);
  }
  return out;
}

const en = readFileSync('README.md', 'utf8');
const zh = readFileSync('README.zh-CN.md', 'utf8');

describe('README.md and README.zh-CN.md', () => {
  it('link to each other at the top', () => {
    expect(en.split('\n').slice(0, 5).join('\n')).toContain('中文说明：[README.zh-CN.md](README.zh-CN.md)');
    expect(zh.split('\n').slice(0, 5).join('\n')).toContain('English: [README.md](README.md)');
  });

  it('have the same sections, code blocks and tables (add a section to both)', () => {
    expect(drift(en, zh)).toEqual([]);
    expect(outline(en).length).toBeGreaterThan(10);
  });

  it('the check sees a section, a code block or a table row added to one README only', () => {
    expect(drift(`${en}\n## Classroom\n\ntext\n`, zh)[0]).toMatch(/sections in README.md/);
    expect(drift(en.replace('npm test\n```', 'npm test\nnpm run bench\n```'), zh).join()).toMatch(/code blocks differ/);
    expect(drift(en.replace('| leven |', '| cowsay | moo |\n| leven |'), zh).join()).toMatch(/tables differ/);
    expect(drift(en.replace(/^### /m, '## '), zh).join()).toMatch(/level 2 vs 3/);
  });
});
