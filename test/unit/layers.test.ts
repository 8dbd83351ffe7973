import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The layer rule (README "Code layout", .dependency-cruiser.cjs) as CI runs it: clean on this
// tree, and failing, by name, on an upward import or a cycle.
const REPO = resolve(import.meta.dirname, '..', '..');
const CONFIG = join(REPO, '.dependency-cruiser.cjs');
const BIN = join(REPO, 'node_modules', '.bin', 'depcruise');
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function cruise(cwd: string) {
  const r = spawnSync(BIN, ['src', '--config', CONFIG, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ipip-tutor-layers-'));
  made.push(dir);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

describe('layers', () => {
  it('this tree has no upward import and no cycle', () => {
    const r = cruise(REPO);
    expect(r.out).not.toMatch(/error/);
    expect(r.code).toBe(0);
  }, 60_000);

  it('an upward import fails, naming the rule', () => {
    const r = cruise(
      tree({ 'src/checks/a.ts': "import { b } from '../ui/b.js';\nexport const a = b;\n", 'src/ui/b.ts': 'export const b = 1;\n' }),
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/no-upward-from-checks/);
  }, 60_000);

  it('a cycle fails, and so does ink below the ui', () => {
    const r = cruise(
      tree({
        'src/course/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'src/course/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
        'src/engine/c.ts': "import { render } from 'ink';\nexport const c = render;\n",
        'node_modules/ink/package.json': '{"name":"ink","main":"index.js"}',
        'node_modules/ink/index.js': 'exports.render = 1;\n',
      }),
    );
    expect(r.out).toMatch(/no-circular/);
    expect(r.out).toMatch(/no-ui-packages-below-ui/);
  }, 60_000);
});
