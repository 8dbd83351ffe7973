import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CourseError } from '../../src/course/courseError.js';
import { loadCourse } from '../../src/course/load.js';
import { emptyProgress, reduce, resumePosition, stepStates, flatSteps } from '../../src/course/progress.js';
import { stepText } from '../../src/course/texts.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

// A tiny course on disk, one lesson, so each test can break exactly one thing.
function course(lessonYaml: string, enYaml?: string, zhYaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ipip-tutor-course-'));
  made.push(dir);
  writeFileSync(join(dir, 'course.yaml'), 'format: 2\nid: t\ntitle: {en: T}\nlessons: [l1]\n');
  mkdirSync(join(dir, 'l1'));
  writeFileSync(join(dir, 'l1', 'lesson.yaml'), lessonYaml);
  writeFileSync(
    join(dir, 'l1', 'en.yaml'),
    enYaml ?? 'title: L\nsteps:\n  a: {title: A, body: "do it", hints: {ns: h1, nudge: h2}}\n  b: {title: B, body: "read"}\n',
  );
  if (zhYaml) writeFileSync(join(dir, 'l1', 'zh.yaml'), zhYaml);
  return dir;
}
const good = `format: 2
id: l1
steps:
  - id: a
    solution: [ip netns add ns1]
    checks: [{id: ns, type: netns, name: ns1}]
  - id: b
`;

function loadError(dir: string): CourseError {
  try {
    loadCourse(dir);
  } catch (e) {
    if (e instanceof CourseError) return e;
    throw e;
  }
  throw new Error('expected a CourseError');
}

describe('lesson loading', () => {
  it('loads a valid course with defaults filled in', () => {
    const c = loadCourse(course(good));
    expect(c.lessons[0]!.def.steps.map((s) => s.id)).toEqual(['a', 'b']);
    expect(c.lessons[0]!.def.steps[1]!.checks).toEqual([]);
  });

  it('names file, step and field for a bad IP address', () => {
    const e = loadError(course(good.replace('{id: ns, type: netns, name: ns1}', '{type: ping, to: 10.10.300.1}')));
    expect(e.file).toMatch(/l1\/lesson\.yaml$/);
    expect(e.step).toBe('a');
    expect(e.field).toBe('checks[0].to');
    expect(e.reason).toMatch(/IPv4/);
  });

  it('rejects an unknown check type', () => {
    const e = loadError(course(good.replace('type: netns', 'type: telepathy')));
    expect(e.step).toBe('a');
    expect(e.field).toBe('checks[0].type');
  });

  it('reports YAML syntax errors with a line', () => {
    const e = loadError(course('format: 2\nid: l1\nsteps: [ {id: a\n'));
    expect(e.message).toMatch(/lesson\.yaml: YAML syntax error \(line \d+/);
  });

  it('rejects duplicate step ids and hints about unknown checks', () => {
    expect(loadError(course(good.replace('- id: b', '- id: a'))).message).toMatch(/duplicate step id "a"/);
    const e = loadError(course(good, 'title: L\nsteps:\n  a: {title: A, body: x, hints: {nope: h}}\n  b: {title: B, body: r}\n'));
    expect(e).toMatchObject({ step: 'a', field: 'hints.nope' });
    expect(e.file).toMatch(/l1\/en\.yaml$/);
  });

  it('requires English text for every step', () => {
    const e = loadError(course(good, 'title: L\nsteps:\n  a: {title: A, body: x}\n'));
    expect(e).toMatchObject({ step: 'b', field: 'steps' });
  });

  it('a missing lesson directory is a clear error', () => {
    expect(loadError('/nonexistent/course').message).toMatch(/does not exist/);
  });

  it('falls back to English per field when a translation is missing', () => {
    const c = loadCourse(course(good, undefined, 'title: 课\nsteps:\n  a: {title: 甲, body: 做, hints: {ns: 提示一}}\n'));
    const l = c.lessons[0]!;
    expect(stepText(l, 'a', 'zh')).toMatchObject({ title: '甲', hints: { ns: '提示一', nudge: 'h2' } });
    expect(stepText(l, 'b', 'zh').title).toBe('B');
  });
});

describe('progress', () => {
  const c = loadCourse(course(good));
  const [a, b] = flatSteps(c);

  it('marks steps and never downgrades done to skipped', () => {
    let p = reduce(emptyProgress(), { type: 'completed', key: a!.key });
    p = reduce(p, { type: 'skipped', key: a!.key });
    expect(p.marks[a!.key]).toBe('done');
  });

  it('unlocks up to the first unfinished step only', () => {
    const p = emptyProgress();
    expect(stepStates(c, p, a!.pos)).toEqual([['current', 'locked']]);
    expect(stepStates(c, p, a!.pos, true)).toEqual([['current', 'open']]);
    const done = reduce(p, { type: 'completed', key: a!.key });
    expect(stepStates(c, done, b!.pos)).toEqual([['done', 'current']]);
  });

  it('resumes at the saved step, else the first unfinished', () => {
    expect(resumePosition(c, emptyProgress())).toEqual(a!.pos);
    expect(resumePosition(c, reduce(emptyProgress(), { type: 'moved', lesson: 'l1', step: 'b' }))).toEqual(b!.pos);
    expect(resumePosition(c, reduce(emptyProgress(), { type: 'moved', lesson: 'gone', step: 'x' }))).toEqual(a!.pos);
  });

  it('reset of one lesson forgets only that lesson', () => {
    let p = reduce(emptyProgress(), { type: 'completed', key: 'l1/a' });
    p = reduce(p, { type: 'completed', key: 'l2/a' });
    p = reduce(p, { type: 'reset-lesson', lesson: 'l1' });
    expect(Object.keys(p.marks)).toEqual(['l2/a']);
  });
});
