import { describe, expect, it } from 'vitest';
import { lintRun, lintStatic } from '../../src/engine/lint.js';
import { createUmlSandbox } from '../../src/sandbox/uml/umlSandbox.js';

// The shipped course, checked as an author would before class: static lint, then every
// solution passes and every declared near-miss fails the check it names, on a real kernel.
describe('lint of the shipped course', () => {
  it('has no static problems (schema, ids, both languages, translations)', () => {
    const { course, problems } = lintStatic('lessons');
    expect(course).not.toBeNull();
    expect(problems).toEqual([]);
  });

  it('lint --run on uml: solutions pass and every mistake fails as declared', async () => {
    const { course } = lintStatic('lessons');
    const bad: string[] = [];
    let mistakes = 0;
    const ok = await lintRun(
      course!,
      () => createUmlSandbox(),
      'en',
      (r) => {
        if (r.step.includes('#')) mistakes++;
        if (!r.ok) bad.push(`${r.step}: ${r.message}`);
      },
    );
    expect(bad).toEqual([]);
    expect(mistakes).toBeGreaterThanOrEqual(20);
    expect(ok).toBe(true);
  }, 900_000);
});
