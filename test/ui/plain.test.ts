import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { emptyProgress } from '../../src/course/progress.js';
import { memoryProgressStore } from '../../src/course/progressStore.js';
import { Controller } from '../../src/engine/controller.js';
import { plainReason, runPlain } from '../../src/ui/plain.js';
import { FakeSandbox, tinyCourse } from './fakes.js';
import { until } from './harness.js';

describe('plain mode (TERM=dumb, CI=true)', () => {
  it('is chosen for a dumb terminal and under CI, not otherwise', () => {
    expect(plainReason({ TERM: 'dumb' })).toBe('dumb');
    expect(plainReason({ TERM: 'xterm-256color', CI: 'true' })).toBe('ci');
    expect(plainReason({ TERM: 'xterm-256color', CI: 'false' })).toBeNull();
    // ink's is-in-ci freezes the live area for either variable, with any value but 0 and false
    expect(plainReason({ TERM: 'xterm-256color', CONTINUOUS_INTEGRATION: '1' })).toBe('ci');
    expect(plainReason({ TERM: 'xterm-256color', CI: '' })).toBe('ci');
    expect(plainReason({ TERM: 'xterm-256color', CI: '0' })).toBeNull();
    expect(plainReason({ TERM: 'xterm-256color' })).toBeNull();
  });

  it('says so in one line, then takes lines: commands, the tutor words, an empty line to go on; no cursor movement', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const c = new Controller({
      course: tinyCourse(),
      makeSandbox: async () => new FakeSandbox(),
      store: memoryProgressStore({ ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } }),
      lang: 'en',
    });
    const done = runPlain(c, 'dumb', { input, output });
    await until(() => text.includes('✗ namespace ns1 does not exist yet'), 3000, 'the goal');
    input.write('tutor hint\n');
    await until(() => text.includes('hint 1/3:'), 3000, 'a hint');
    input.write('sudo ip netns add ns1\nsudo ip netns add ns2\n');
    await until(() => text.includes('✓ step complete: Two namespaces'), 3000, 'the step');
    input.write('\n');
    await until(() => text.includes('Quiz: how many?'), 3000, 'the next step');
    input.write('tutor quit\n');
    expect(await done).toBe(0);
    expect(text.split('\n')[0]).toMatch(/^TERM=dumb: plain mode/);
    expect(text.includes('\u001b[')).toBe(false); // no escape sequence at all
  });

  it('tutor hand raises a hand in a class, and says how to join otherwise', async () => {
    for (const inClass of [true, false]) {
      const input = new PassThrough();
      const output = new PassThrough();
      let text = '';
      output.on('data', (d: Buffer) => (text += d.toString()));
      const c = new Controller({
        course: tinyCourse(),
        makeSandbox: async () => new FakeSandbox(),
        store: memoryProgressStore(),
        lang: 'en',
      });
      const done = runPlain(c, 'dumb', { input, output }, inClass);
      await until(() => text.includes('> '), 3000, 'the prompt');
      input.write('tutor hand\n');
      await until(() => text.includes(inClass ? 'you asked for help' : 'not in a class'), 3000, 'the answer');
      expect(c.getView().hand).toBe(inClass);
      input.write('tutor quit\n');
      expect(await done).toBe(0);
    }
  });
});
