import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintStatic } from '../../src/engine/lint.js';
import { checkCatalog } from '../../src/i18n/checkMessages.js';
import { missingKeys, translator, type Catalog } from '../../src/i18n/translate.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function course(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ipip-tutor-lint-unit-'));
  made.push(dir);
  writeFileSync(join(dir, 'course.yaml'), 'format: 2\nid: t\ntitle: {en: T, zh: 课}\nlessons: [l1]\n');
  mkdirSync(join(dir, 'l1'));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, 'l1', f), text);
  return dir;
}
const lesson = `format: 2
id: l1
steps:
  - id: a
    solution: [ip netns add ns1]
    checks: [{id: ns, type: netns, name: ns1}]
    mistakes: [{id: none, commands: [ip netns add ns2], fails: ns, signature: [{type: netns, name: ns2}], repair: [ip netns del ns2]}]
`;
const en = 'title: L\nsteps:\n  a: {title: A, body: x, hints: {nudge: n, ns: h}, mistakes: {none: "wrong name"}}\n';

describe('lint (static)', () => {
  it('a complete course in both languages is clean', () => {
    const { course: c, problems } = lintStatic(
      course({ 'lesson.yaml': lesson, 'en.yaml': en, 'zh.yaml': en.replace('title: A', 'title: 甲') }),
    );
    expect(c).not.toBeNull();
    expect(problems).toEqual([]);
  });

  it('reports a missing translation file, a hint for an unknown check and an unexplained mistake', () => {
    expect(lintStatic(course({ 'lesson.yaml': lesson, 'en.yaml': en })).problems).toContainEqual(
      expect.objectContaining({ level: 'error', where: 'l1/zh.yaml', message: expect.stringMatching(/no zh texts/) }),
    );
    const zh = 'title: 课\nsteps:\n  a: {title: 甲, body: 乙}\n';
    const p = lintStatic(course({ 'lesson.yaml': lesson, 'en.yaml': en, 'zh.yaml': zh })).problems.map((x) => x.message);
    expect(p).toContainEqual(expect.stringMatching(/does not explain mistake "none"/));
    const unknown = 'title: 课\nsteps:\n  a: {title: 甲, body: 乙, hints: {nope: 一}}\n';
    const q = lintStatic(course({ 'lesson.yaml': lesson, 'en.yaml': en, 'zh.yaml': unknown })).problems.map((x) => x.message);
    expect(q).toContainEqual(expect.stringMatching(/step "a", field hints\.nope: no check "nope" in this step/));
  });

  it('names the broken file and keeps checking the others', () => {
    const { course: c, problems } = lintStatic(course({ 'lesson.yaml': lesson.replace('type: netns', 'type: nope'), 'en.yaml': en }));
    expect(c).toBeNull();
    expect(problems[0]).toMatchObject({ level: 'error', message: expect.stringMatching(/step "a", field checks\[0\]\.type/) });
  });
});

describe('i18n fallback', () => {
  it('falls back to English for a missing key, and lint can list it', () => {
    const cat: Catalog<'a' | 'b'> = { en: { a: 'A {x}', b: 'B' }, zh: { a: '甲 {x}' } };
    const t = translator(cat);
    expect(t('zh', 'a', { x: 1 })).toBe('甲 1');
    expect(t('zh', 'b')).toBe('B');
    expect(missingKeys(cat, 'zh')).toEqual(['b']);
  });

  it('every check message exists in Chinese', () => {
    expect(missingKeys(checkCatalog, 'zh')).toEqual([]);
  });
});
