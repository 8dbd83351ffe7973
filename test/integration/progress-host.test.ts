import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkState } from '../../src/checks/checkState.js';
import { resolveStep } from '../../src/cli/commands/play.js';
import { lintRun } from '../../src/engine/lint.js';
import { loadCourse } from '../../src/course/load.js';
import { flatSteps } from '../../src/course/progress.js';
import { fileProgressStore, memoryProgressStore } from '../../src/course/progressStore.js';
import { Controller } from '../../src/engine/controller.js';
import { createHostSandbox } from '../../src/sandbox/host/hostSandbox.js';

// Progress that lasts, and the fast-forward that rebuilds a fresh sandbox to a saved step.
const course = loadCourse('lessons');
const make = () => createHostSandbox();

describe('resume, restart, skip (host sandbox)', () => {
  it('resuming lands in a state where every earlier step still passes', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'ipip-tutor-state-'));
    const store = fileProgressStore(course, stateDir);
    const first = new Controller({ course, makeSandbox: make, store, lang: 'en', unlockAll: true });
    await first.jump(resolveStep(course, 'routes/ns2-route', 'first'));
    await first.close();

    const counts: number[] = [];
    const second = new Controller({ course, makeSandbox: make, store: fileProgressStore(course, stateDir), lang: 'en' });
    expect(second.current.key).toBe('routes/ns2-route');
    await second.start((p) => counts.push(p.done));
    try {
      expect(Math.max(...counts)).toBeGreaterThan(5);
      const earlier = flatSteps(course).filter(
        (s) => s.pos.lesson < second.pos.lesson || (s.pos.lesson === second.pos.lesson && s.pos.step < second.pos.step),
      );
      for (const s of earlier) {
        const checks = second.stepView(s.pos).step.checks.filter((c) => c.type !== 'answer');
        const results = (await checkState(second.box!, checks)).results;
        expect(results.filter((r) => !r.ok).map((r) => `${s.key}: ${r.key}`)).toEqual([]);
      }
    } finally {
      await second.close();
    }
  });

  it('restart-step undoes a step gone wrong', async () => {
    const s = new Controller({ course, makeSandbox: make, store: memoryProgressStore(), lang: 'en', unlockAll: true });
    await s.jump(resolveStep(course, 'veth/create-veth', 'first'));
    try {
      await s.submit('ip link add v1 type veth peer name v1-P');
      expect((await s.box!.run('ip link show v1')).exitCode).toBe(0);
      await s.restart();
      expect((await s.box!.run('ip link show v1')).exitCode).not.toBe(0);
      expect(s.current.key).toBe('veth/create-veth');
      await s.solve();
      expect(s.stepPassed).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('skip marks the step skipped, replays its solution and moves on', async () => {
    const store = memoryProgressStore();
    const s = new Controller({ course, makeSandbox: make, store, lang: 'en', unlockAll: true });
    await s.jump(resolveStep(course, 'namespaces/add-ns', 'first'));
    try {
      await s.skip();
      expect(store.load().marks['namespaces/add-ns']).toBe('skipped');
      expect(s.current.key).not.toBe('namespaces/add-ns');
      expect((await s.box!.run('ip netns list')).stdout).toMatch(/ns2/);
    } finally {
      await s.close();
    }
  });
});

describe('lint --run', () => {
  it('reports a declared mistake that wrongly passes its check', async () => {
    // Copy a small course and declare a "mistake" that is in fact the right command.
    const dir = mkdtempSync(join(tmpdir(), 'ipip-tutor-lint-'));
    cpSync('test/fixtures/course-feedback', dir, { recursive: true });
    const file = join(dir, 'l1', 'lesson.yaml');
    const yaml = readFileSync(file, 'utf8').replace(
      'commands: [ip link add v3 type veth peer name v3-P]',
      'commands: [ip link add v3 netns ns1 type veth peer name v3-P]',
    );
    writeFileSync(file, yaml);
    const reports: { step: string; ok: boolean; message: string }[] = [];
    const ok = await lintRun(loadCourse(dir), make, 'en', (r) => reports.push(r));
    expect(ok).toBe(false);
    expect(reports.find((r) => r.step.endsWith('#no-netns'))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/wrongly passes/),
    });
    // the solutions themselves pass (the tunnel step needs ipip, which this host may lack)
    expect(reports.filter((r) => !r.step.includes('#') && !/needs ipip/.test(r.message)).every((r) => r.ok)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
