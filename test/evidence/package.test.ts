import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, requireBuilt, requireUml } from '../helpers/tutor.js';

// Issue: `npm pack` gives a package that runs with npx. The build bundles every runtime
// dependency into dist/, so the packed package must run from a directory with no node_modules
// anywhere above it: the learner's command, the course it ships, and a sandbox.

let dir: string;
let pkg: string;

beforeAll(() => {
  requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ipip-tutor-pack-'));
  // --ignore-scripts: pack the dist/ this test run built (prepare would rebuild it under the other tests)
  const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(packed.status, packed.stderr).toBe(0);
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  const untar = spawnSync('tar', ['xzf', tgz], { cwd: dir, encoding: 'utf8' });
  expect(untar.status, untar.stderr).toBe(0);
  pkg = join(dir, 'package');
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) =>
  spawnSync(join(pkg, 'dist', 'cli', 'main.js'), args, {
    cwd: pkg,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, XDG_STATE_HOME: join(dir, 'state'), XDG_CACHE_HOME: join(dir, 'cache'), NO_COLOR: '1' },
  });

describe('the packed package', () => {
  it('holds the launcher, the bundle, the uml guest agent, the course and its seed, and no node_modules is anywhere above it', () => {
    // dist/guest-agent: the uml backend's guest agent, compiled at build time (src/build/guestAgent.ts)
    for (const f of [
      'dist/cli/main.js',
      'dist/course-seed.json',
      'dist/guest-agent',
      'lessons/course.yaml',
      'lessons/LICENSE',
      'README.md',
      'LICENSE',
    ])
      expect(existsSync(join(pkg, f)), f).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    for (let d = pkg; d !== '/'; d = join(d, '..')) expect(existsSync(join(d, 'node_modules')), d).toBe(false);
  });

  it('runs its command: --version, lessons, and a lesson played in a real host sandbox', () => {
    const v = run(['--version']);
    expect(v.stderr).toBe('');
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const lessons = JSON.parse(run(['lessons', '--json']).stdout) as { id: string }[];
    expect(lessons.map((l) => l.id)).toContain('namespaces');
    const play = run(['play', '--auto', '--backend', 'host', '--to', 'namespaces']);
    expect(play.status, play.stdout + play.stderr).toBe(0);
    expect(play.stdout).toMatch(/✓ namespaces\/add-ns/);
    expect(play.stderr).not.toMatch(/\n\s+at /);
  });

  it('plays a lesson in a uml sandbox too, installed under /tmp where the sandbox has a private tmpfs', () => {
    requireUml();
    expect(pkg.startsWith(tmpdir())).toBe(true);
    const play = run(['play', '--auto', '--backend', 'uml', '--to', 'namespaces']);
    expect(play.status, play.stdout + play.stderr).toBe(0);
    expect(play.stdout).toMatch(/✓ namespaces\/add-ns/);
  }, 120_000);

  it('the interactive tutor starts on a terminal and saves progress (bundled CommonJS code finds __filename)', async () => {
    const tutor = spawn('script', ['-qec', `${join(pkg, 'dist', 'cli', 'main.js')} --backend host`, '/dev/null'], {
      cwd: pkg,
      env: { ...process.env, CI: 'true', XDG_STATE_HOME: join(dir, 'state'), XDG_CONFIG_HOME: join(dir, 'config'), NO_COLOR: '1' },
    });
    let out = '';
    tutor.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // quit once the step is on screen: the first progress save has happened by then
      if (/(A letter inside a second envelope|internal error)[\s\S]*\n> $/.test(out)) tutor.stdin.write('tutor quit\n');
    });
    const code = await new Promise<number | null>((resolve) => tutor.on('close', resolve));
    expect(out).toMatch(/A letter inside a second envelope/);
    expect(out).not.toMatch(/internal error/);
    expect(code).toBe(0);
    expect(existsSync(join(dir, 'state', 'ipip-tutor', 'progress-ipip-tutor.json'))).toBe(true);
  }, 60_000);
});
