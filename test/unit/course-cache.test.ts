import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSeed, openCourse } from '../../src/course/courseCache.js';
import { CourseError } from '../../src/course/courseError.js';
import { loadCourse } from '../../src/course/load.js';

// The validated course is kept as JSON between starts. What must hold: a hit is the very course
// the loader makes, and any change to a course file (or a broken one) is seen at once.

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
};

const LESSON = `format: 2
id: l1
steps:
  - id: a
    solution: [ip netns add ns1]
    checks: [{id: ns, type: netns, name: ns1}]
`;
const text = (title: string) => `title: ${title}\nsteps:\n  a: {title: A, body: "make ns1"}\n`;

function course(): string {
  const dir = temp('ipip-tutor-cache-course-');
  writeFileSync(join(dir, 'course.yaml'), 'format: 2\nid: t\ntitle: {en: T}\nlessons: [l1]\n');
  mkdirSync(join(dir, 'l1'));
  writeFileSync(join(dir, 'l1', 'lesson.yaml'), LESSON);
  writeFileSync(join(dir, 'l1', 'en.yaml'), text('First title'));
  return dir;
}

/** Rewrite a file with new content and a clearly different mtime (some filesystems keep whole seconds). */
function edit(file: string, content: string): void {
  writeFileSync(file, content);
  const later = new Date(Date.now() + 5_000);
  utimesSync(file, later, later);
}

describe('course cache', () => {
  it('a second open comes from the cache and equals what the loader makes', async () => {
    const dir = course();
    const cache = temp('ipip-tutor-cache-');
    const first = await openCourse(dir, cache);
    const stored = JSON.parse(readFileSync(join(cache, 'course.json'), 'utf8')) as { course: unknown };
    expect(stored.course).toEqual(first);
    // Prove the second open reads the cache: plant a marker only the cache file carries.
    const marked = JSON.parse(readFileSync(join(cache, 'course.json'), 'utf8')) as { course: { title: Record<string, string> } };
    marked.course.title.en = 'from the cache';
    writeFileSync(join(cache, 'course.json'), JSON.stringify(marked));
    const second = await openCourse(dir, cache);
    expect(second.title.en).toBe('from the cache');
    expect({ ...second, title: first.title }).toEqual(loadCourse(dir));
  });

  it('an edited text file is read again', async () => {
    const dir = course();
    const cache = temp('ipip-tutor-cache-');
    expect((await openCourse(dir, cache)).lessons[0]!.texts.en!.title).toBe('First title');
    edit(join(dir, 'l1', 'en.yaml'), text('Second title'));
    expect((await openCourse(dir, cache)).lessons[0]!.texts.en!.title).toBe('Second title');
  });

  it("a file broken after it was cached gives the loader's precise error, and nothing stale", async () => {
    const dir = course();
    const cache = temp('ipip-tutor-cache-');
    await openCourse(dir, cache);
    edit(join(dir, 'l1', 'lesson.yaml'), LESSON.replace('type: netns', 'type: bogus'));
    await expect(openCourse(dir, cache)).rejects.toThrow(CourseError);
    await expect(openCourse(dir, cache)).rejects.toThrow(/l1\/lesson\.yaml, step "a", field checks\[0\]\.type/);
  });

  it('a new file in a lesson directory, or another course directory, is a miss', async () => {
    const dir = course();
    const cache = temp('ipip-tutor-cache-');
    await openCourse(dir, cache);
    writeFileSync(join(dir, 'l1', 'zh.yaml'), 'title: 第一课\nsteps:\n  a: {title: 甲, body: "建 ns1"}\n');
    expect((await openCourse(dir, cache)).lessons[0]!.texts.zh?.title).toBe('第一课');
    const other = course();
    edit(join(other, 'l1', 'en.yaml'), text('Other course'));
    expect((await openCourse(other, cache)).lessons[0]!.texts.en!.title).toBe('Other course');
    expect((await openCourse(dir, cache)).lessons[0]!.texts.en!.title).toBe('First title');
  });

  it("a missing course directory is the loader's error; an unwritable cache only costs speed", async () => {
    await expect(openCourse('/nonexistent-ipip-course', temp('ipip-tutor-cache-'))).rejects.toThrow(/lesson directory does not exist/);
    const dir = course();
    const notADir = join(temp('ipip-tutor-cache-'), 'file');
    writeFileSync(notADir, 'x');
    expect((await openCourse(dir, notADir)).lessons[0]!.texts.en!.title).toBe('First title');
  });

  it('a corrupt cache file is ignored', async () => {
    const dir = course();
    const cache = temp('ipip-tutor-cache-');
    await openCourse(dir, cache);
    writeFileSync(join(cache, 'course.json'), '{"format":1,"key":');
    expect((await openCourse(dir, cache)).lessons[0]!.texts.en!.title).toBe('First title');
  });

  it('a shipped seed with the same file contents is used on a miss, wherever the course lies; a changed file voids it', async () => {
    const built = course();
    const seed = makeSeed(loadCourse(built));
    seed.course.title.en = 'from the seed';
    const seedFile = join(temp('ipip-tutor-seed-'), 'course-seed.json');
    writeFileSync(seedFile, JSON.stringify(seed));
    // Installed elsewhere (other paths, other mtimes): same contents, so the seed applies.
    const installed = join(temp('ipip-tutor-installed-'), 'lessons');
    cpSync(built, installed, { recursive: true });
    const c = await openCourse(installed, temp('ipip-tutor-cache-'), seedFile);
    expect(c.title.en).toBe('from the seed');
    expect(c.dir).toBe(installed);
    expect(c.lessons[0]!.dir).toBe(join(installed, 'l1'));
    expect({ ...c, title: { en: 'T' } }).toEqual(loadCourse(installed));
    // One changed file: the seed no longer matches, the loader runs.
    edit(join(installed, 'l1', 'en.yaml'), text('Edited'));
    const fresh = await openCourse(installed, temp('ipip-tutor-cache-'), seedFile);
    expect(fresh.title.en).toBe('T');
    expect(fresh.lessons[0]!.texts.en!.title).toBe('Edited');
  });
});
