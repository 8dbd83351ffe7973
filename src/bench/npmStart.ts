import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeToText } from './procs.js';
import { median } from './stats.js';

// `npm start` from a fresh clone after `npm install`: its first frame against running the
// bundle directly. npm only bundles when a source is newer than dist/ (src/build/fresh.sh), so
// what is left is npm's own start (`npm start` of an empty script costs about the same). The
// full run clones the checkout's HEAD and installs it (npm ci, from npm's cache where it can);
// --quick measures in this checkout, whose dist/ the bench's own start has just brought up to
// date (the state a clone is in after its install).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface NpmStartRow {
  backend: 'tutor';
  figure: string;
  value: number | null;
  unit: 'ms' | 'x';
  target?: number;
  detail?: string;
}

function freshClone(log: (s: string) => void, problems: string[]): string | null {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ipip-bench-clone-'));
  const clone = path.join(dir, 'ipip-tutor');
  const step = (what: string, argv: string[], cwd: string) => {
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: 'utf8', timeout: 600_000 });
    if (r.status === 0) return true;
    problems.push(`npm start figure: ${what} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    return false;
  };
  log('npm start: a fresh clone of HEAD, then npm ci');
  const head = spawnSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  if (
    step('git clone', ['git', 'clone', '--quiet', '--no-hardlinks', '--no-checkout', ROOT, clone], dir) &&
    step('git checkout', ['git', 'checkout', '--quiet', head], clone) &&
    step('npm ci', ['npm', 'ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], clone)
  )
    return clone;
  rmSync(dir, { recursive: true, force: true });
  return null;
}

export async function benchNpmStart(o: {
  title: string;
  cacheHome: string;
  quick: boolean;
  log: (s: string) => void;
  problems: string[];
}): Promise<NpmStartRow[]> {
  const isCheckout = existsSync(path.join(ROOT, '.git'));
  const clone = !o.quick && isCheckout ? freshClone(o.log, o.problems) : null;
  const where = clone ?? ROOT;
  const state = mkdtempSync(path.join(os.tmpdir(), 'ipip-bench-state-'));
  const env = {
    ...process.env,
    XDG_STATE_HOME: state,
    XDG_CONFIG_HOME: state,
    XDG_CACHE_HOME: o.cacheHome,
    LANG: 'C.UTF-8',
    LC_ALL: '',
    TERM: 'xterm-256color',
  };
  const frame = async (command: string) => {
    const r = await timeToText(command, o.title, { env, cwd: where, timeoutMs: 60_000 });
    if (r.ms === null) o.problems.push(`first frame of \`${command}\`: "${o.title}" never appeared; last output: ${r.output.slice(-300)}`);
    return r.ms;
  };
  const direct: number[] = [];
  const npm: number[] = [];
  try {
    o.log('npm start: first frame, `npm start` and `dist/cli/main.js` in turn');
    const first = await frame('npm start --silent -- --backend host'); // a build here would show, and count
    if (first !== null) npm.push(first);
    for (let i = 0; i < (o.quick ? 3 : 6); i++) {
      const d = await frame(`${path.join(where, 'dist/cli/main.js')} --backend host`);
      const n = await frame('npm start --silent -- --backend host');
      if (d !== null) direct.push(d);
      if (n !== null) npm.push(n);
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
    if (clone) rmSync(path.dirname(clone), { recursive: true, force: true });
  }
  const d = direct.length ? median(direct) : null;
  const n = npm.length ? median(npm) : null;
  const what = clone ? 'a fresh clone after npm ci' : 'this checkout, dist/ current';
  return [
    {
      backend: 'tutor',
      figure: `first frame, dist/cli/main.js directly (${what})`,
      value: d,
      unit: 'ms',
      detail: `median of ${direct.length}`,
    },
    {
      backend: 'tutor',
      figure: 'first frame, npm start (the same)',
      value: n,
      unit: 'ms',
      detail: `median of ${npm.length}, first run included`,
    },
    { backend: 'tutor', figure: 'ratio npm start / direct', value: d && n ? n / d : null, unit: 'x', target: 1.5 },
  ];
}
