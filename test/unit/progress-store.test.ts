import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/load.js';
import { emptyProgress, reduce } from '../../src/course/progress.js';
import {
  configDir,
  fileProgressStore,
  legacyCourseKey,
  loadSettings,
  mergeProgress,
  progressFile,
  saveSettings,
  stateDir,
} from '../../src/course/progressStore.js';
import { writeFileAtomic } from '../../src/course/userFiles.js';

const course = loadCourse('lessons');
const dirs: string[] = [];
const tmp = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `ipip-${name}-`));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('progress keyed by the course id', () => {
  it('is found by another install of the same course in another folder', () => {
    const state = tmp('state');
    const a = join(tmp('install-a'), 'lessons');
    const b = join(tmp('install-b'), 'lessons');
    cpSync('lessons', a, { recursive: true });
    cpSync('lessons', b, { recursive: true });
    const storeA = fileProgressStore(loadCourse(a), state);
    storeA.save(reduce(storeA.load(), { type: 'completed', key: 'namespaces/add-ns' }));
    expect(readdirSync(state)).toEqual(['progress-ipip-tutor.json']);
    expect(fileProgressStore(loadCourse(b), state).load().marks).toEqual({ 'namespaces/add-ns': 'done' });
  });

  it('moves the old path-keyed files once, uniting them, and leaves other courses alone', () => {
    const state = tmp('state');
    const old = (key: string, p: object) =>
      writeFileSync(join(state, `progress-${key}.json`), JSON.stringify({ ...emptyProgress(), ...p }));
    old(legacyCourseKey(course.dir), { marks: { 'namespaces/add-ns': 'done' }, hints: { 'veth/create-veth': 1 } });
    old('0123456789ab', {
      marks: { 'namespaces/add-ns': 'skipped', 'veth/create-veth': 'done' },
      current: { lesson: 'veth', step: 'create-veth' },
    });
    old('ba9876543210', { marks: { 'other-lesson/x': 'done' } }); // another course's
    const p = fileProgressStore(course, state).load();
    expect(p.marks).toEqual({ 'namespaces/add-ns': 'done', 'veth/create-veth': 'done' });
    expect(p.hints).toEqual({ 'veth/create-veth': 1 });
    expect(p.current).toEqual({ lesson: 'veth', step: 'create-veth' });
    expect(readdirSync(state).sort()).toEqual(
      [
        `progress-${legacyCourseKey(course.dir)}.json.migrated`,
        'progress-0123456789ab.json.migrated',
        'progress-ba9876543210.json',
        'progress-ipip-tutor.json',
      ].sort(),
    );
    // once: a later reset is not undone by the old files
    const s = fileProgressStore(course, state);
    s.save(reduce(s.load(), { type: 'reset-all' }));
    expect(fileProgressStore(course, state).load().marks).toEqual({});
  });

  it("two tutors on one course keep each other's marks, and a reset still resets", () => {
    const state = tmp('state');
    const one = fileProgressStore(course, state);
    const two = fileProgressStore(course, state);
    let p1 = one.load();
    let p2 = two.load();
    p1 = reduce(p1, { type: 'completed', key: 'namespaces/add-ns' });
    one.save(p1);
    p2 = reduce(p2, { type: 'completed', key: 'veth/create-veth' });
    two.save(p2);
    p1 = reduce(p1, { type: 'hint', key: 'routes/ns1-route' });
    one.save(p1);
    expect(fileProgressStore(course, state).load().marks).toEqual({ 'namespaces/add-ns': 'done', 'veth/create-veth': 'done' });
    // `ipip-tutor reset --lesson namespaces` while both run
    const cli = fileProgressStore(course, state);
    cli.save(reduce(cli.load(), { type: 'reset-lesson', lesson: 'namespaces' }));
    two.save(reduce(p2, { type: 'moved', lesson: 'veth', step: 'create-veth' }));
    const now = fileProgressStore(course, state).load();
    expect(now.marks).toEqual({ 'veth/create-veth': 'done' });
    expect(now.hints).toEqual({ 'routes/ns1-route': 1 });
  });

  it('merges by what each side changed', () => {
    const base = { ...emptyProgress(), marks: { a: 'done' as const, b: 'skipped' as const } };
    const mine = { ...base, marks: { a: 'done' as const, b: 'done' as const, c: 'done' as const } };
    const theirs = { ...base, marks: { b: 'skipped' as const, d: 'done' as const }, current: { lesson: 'x', step: 'y' } };
    expect(mergeProgress(base, mine, theirs)).toEqual({
      version: 1,
      marks: { b: 'done', c: 'done', d: 'done' },
      hints: {},
      current: { lesson: 'x', step: 'y' },
    });
  });

  it('concurrent processes saving at once lose nothing', async () => {
    const state = tmp('state');
    const script = join(tmp('script'), 'save.ts');
    writeFileSync(
      script,
      `import { loadCourse } from ${JSON.stringify(join(process.cwd(), 'src/course/load.ts'))};
import { fileProgressStore } from ${JSON.stringify(join(process.cwd(), 'src/course/progressStore.ts'))};
import { reduce } from ${JSON.stringify(join(process.cwd(), 'src/course/progress.ts'))};
const s = fileProgressStore(loadCourse('lessons'), process.argv[2]);
let p = s.load();
for (let i = 0; i < 40; i++) { p = reduce(p, { type: 'hint', key: process.argv[3] + '/' + i }); s.save(p); }
`,
    );
    const run = (who: string) =>
      new Promise<number | null>((resolve) =>
        spawn(process.execPath, ['--import', 'tsx', script, state, who], { stdio: 'inherit' }).on('exit', resolve),
      );
    expect(await Promise.all([run('one'), run('two'), run('three')])).toEqual([0, 0, 0]);
    const hints = JSON.parse(readFileSync(progressFile('ipip-tutor', state), 'utf8')).hints as Record<string, number>;
    expect(Object.keys(hints)).toHaveLength(120);
    expect(readdirSync(state)).toEqual(['progress-ipip-tutor.json']); // no temporary or lock file left
  }, 30_000);

  it('a failed write leaves no temporary file behind', () => {
    const d = tmp('ro');
    writeFileAtomic(join(d, 'x.json'), '{}', { durable: true });
    expect(() => writeFileAtomic(join(d, 'x.json', 'y'), '{}')).toThrow();
    expect(readdirSync(d)).toEqual(['x.json']);
  });
});

describe('settings are configuration', () => {
  it('live in XDG_CONFIG_HOME, progress in XDG_STATE_HOME', () => {
    const env = { HOME: '/home/u', XDG_CONFIG_HOME: '/c', XDG_STATE_HOME: '' };
    expect(configDir(env)).toBe('/c/ipip-tutor');
    expect(stateDir(env)).toBe('/home/u/.local/state/ipip-tutor');
    expect(configDir({ HOME: '/home/u' })).toBe('/home/u/.config/ipip-tutor');
  });

  it('move once from the state directory, where older versions kept them', () => {
    const config = tmp('config');
    const state = tmp('state');
    writeFileSync(join(state, 'settings.json'), JSON.stringify({ lang: 'zh', map: true }));
    expect(loadSettings(config, state)).toEqual({ lang: 'zh', map: true });
    expect(existsSync(join(state, 'settings.json'))).toBe(false);
    saveSettings({ lang: 'en' }, config);
    expect(loadSettings(config, state)).toEqual({ lang: 'en' });
  });
});
