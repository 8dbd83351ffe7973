import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { KEY, live, mount, sleep, until } from './harness.js';
import { emptyProgress } from '../../src/course/progress.js';
import { memoryProgressStore } from '../../src/course/progressStore.js';
import { Controller } from '../../src/engine/controller.js';
import { FakeSandbox, tinyCourse } from './fakes.js';

afterEach(() => cleanup());

describe('the REPL', () => {
  it('shows the step while the sandbox is still starting, and takes commands once it is up', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const session = new Controller({
      course: tinyCourse(),
      makeSandbox: async () => {
        await gate;
        return new FakeSandbox();
      },
      store: memoryProgressStore({ ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } }),
      lang: 'en',
    });
    const t = await mount({ session, waitReady: false });
    // Given a sandbox that has not started yet, the learner already reads the step
    await t.waitFor('Two namespaces');
    expect(live(t.lastFrame())).toContain('starting the sandbox');
    expect(session.box).toBeNull();
    // What they type meanwhile is kept, Enter included: it runs once the sandbox is up
    await t.type('ip netns add ns1');
    await t.press(KEY.enter);
    await t.waitFor('typed ahead: ip netns add ns1');
    release();
    await t.waitFor(/✓ .*ns1/);
    // The step's text was printed once, not again when the sandbox came up
    expect(t.lastFrame().split('Two namespaces').length - 1).toBe(2); // the text's title and the live header
  });

  it('runs a command, shows the checks, unlocks the step, and Enter goes on', async () => {
    // Given a learner on the reading step
    const t = await mount();
    expect(t.lastFrame()).toContain('Rooms in one house');
    expect(t.lastFrame()).toContain('Enter to continue');
    // When they press Enter, the task step appears with its goal
    await t.press(KEY.enter);
    await t.waitFor('Two namespaces');
    await t.waitFor(/✗ .*ns1/);
    // When they make one namespace, that check passes and the other still fails
    await t.type('sudo ip netns add ns1');
    await t.press(KEY.enter);
    await t.waitFor(/✓ .*ns1/);
    expect(live(t.lastFrame())).toMatch(/✗ .*ns2/);
    // When they make the second, the step completes
    await t.type('sudo ip netns add ns2');
    await t.press(KEY.enter);
    await t.waitFor('step complete: Enter for the next step');
    expect(t.session.isDone('namespaces/make-ns')).toBe(true);
    // Then Enter shows the next step
    await t.press(KEY.enter);
    await t.waitFor('Quiz: how many?');
    expect(t.sandbox().ran).toEqual(['sudo ip netns add ns1', 'sudo ip netns add ns2']);
  });

  it('recalls history with Up and Down', async () => {
    const t = await mount({ progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } } });
    await t.type('echo one');
    await t.press(KEY.enter);
    await t.waitFor('❯ echo one');
    await t.type('echo two');
    await t.press(KEY.enter);
    await t.waitFor(/^two$/m);
    await t.type('draft');
    await t.press(KEY.up);
    expect(live(t.lastFrame())).toContain('❯ echo two');
    await t.press(KEY.up);
    expect(live(t.lastFrame())).toContain('❯ echo one');
    await t.press(KEY.up); // no older entry: stays
    expect(live(t.lastFrame())).toContain('❯ echo one');
    await t.press(KEY.down);
    await t.press(KEY.down);
    expect(live(t.lastFrame())).toContain('❯ draft');
  });

  it('hints are graduated: a nudge, then what is wrong now, then the exact command, and never repeat', async () => {
    const t = await mount({ progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } } });
    await t.type('sudo ip netns add ns1');
    await t.press(KEY.enter);
    await t.waitFor(/✓ .*ns1/);
    await t.press(KEY.ctrl('t'));
    await t.waitFor('hint 1/3: Use ip netns add NAME.');
    // ns2 is what is missing: the hint tied to the ns2 check
    await t.press(KEY.ctrl('t'));
    await t.waitFor('hint 2/3: namespace ns2 does not exist yet');
    expect(t.lastFrame()).toContain('ns2 is still missing');
    await t.press(KEY.ctrl('t'));
    await t.waitFor('hint 3/3: the exact command');
    expect(t.lastFrame()).toMatch(/^ {2}sudo ip netns add ns2$/m);
    await t.press(KEY.ctrl('t'));
    await t.waitFor('no more hints');
  });

  it('a wrong quiz answer shows a hint; the right one completes the step', async () => {
    const t = await mount({ progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'quiz' } } });
    await t.waitFor('type your answer at the prompt');
    await t.type('five');
    await t.press(KEY.enter);
    await t.waitFor('✗ not right');
    await t.waitFor('hint 1/2: Count them.');
    await t.type('two');
    await t.press(KEY.enter);
    await t.waitFor('✓ right');
    await t.waitFor('step complete: Enter for the next step');
  });

  it('the solve key runs the solution and completes the step', async () => {
    const t = await mount({ progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } } });
    await t.press(KEY.ctrl('s'));
    await t.waitFor('step complete: Enter for the next step');
    expect(t.lastFrame()).toContain('» sudo ip netns add ns1');
    expect(t.lastFrame()).toContain('» sudo ip netns add ns2');
    expect(t.sandbox().ran).toEqual(['sudo ip netns add ns1', 'sudo ip netns add ns2']);
  });

  it('skip needs a second press, then runs the solution and moves on', async () => {
    const t = await mount({ progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } } });
    await t.press(KEY.ctrl('x'));
    await t.waitFor('press Ctrl-X again');
    expect(t.sandbox().ran).toEqual([]);
    await t.press(KEY.ctrl('x'));
    await t.waitFor('Quiz: how many?');
    expect(t.session.progressState.marks['namespaces/make-ns']).toBe('skipped');
  });

  it('Ctrl-C interrupts a running command and the session goes on', async () => {
    const t = await mount({ progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } } });
    await t.type('sleep 30');
    await t.press(KEY.enter);
    await t.waitFor('running: sleep 30');
    await t.waitFor('sleeping');
    await t.press(KEY.ctrl('c'));
    await t.waitFor('^C interrupted');
    expect(live(t.lastFrame())).not.toContain('running:');
    // the app is still here and takes the next command
    await t.type('sudo ip netns add ns1');
    await t.press(KEY.enter);
    await t.waitFor(/✓ .*ns1/);
    expect(t.exitCode()).toBeNull();
  });

  it('Ctrl-C on an idle line clears it; twice on an empty one quits', async () => {
    const t = await mount();
    await t.type('half typed');
    await t.press(KEY.ctrl('c'));
    expect(live(t.lastFrame())).not.toContain('half typed');
    await t.press(KEY.ctrl('c'));
    await t.waitFor('press Ctrl-C again to quit');
    expect(t.exitCode()).toBeNull();
    await t.press(KEY.ctrl('c'));
    await until(() => t.exitCode() !== null, 3000, 'the exit');
    expect(t.exitCode()).toBe(0);
    expect(t.sandbox().closed).toBe(true);
  });

  it('sanitises ANSI escapes and binary bytes in command output', async () => {
    const t = await mount({ progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } } });
    await t.type('garbage');
    await t.press(KEY.enter);
    await t.waitFor('❯ garbage');
    await t.waitFor(/END/);
    const f = t.lastFrame();
    expect(f).not.toContain('\u001b');
    expect(f).not.toContain('\u0007');
    expect(f).not.toContain('\u0000');
    expect(f).not.toContain('\u009b');
    expect(f).toContain('red:RED');
    expect(f).not.toContain('pwned');
    expect(f).toContain('bin:???? end');
    // a carriage return overwrites, as on a terminal
    expect(f).toMatch(/^progress 100%$/m);
  });

  it('Tab completes commands and names that exist in the sandbox', async () => {
    const t = await mount({ progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } } });
    await t.type('sudo ip netns add ns1');
    await t.press(KEY.enter);
    await t.waitFor(/✓ .*ns1/);
    await t.type('ip netns ex');
    await t.press(KEY.tab);
    expect(live(t.lastFrame())).toMatch(/^❯ ip netns exec\s*$/m);
    await t.type('n');
    await t.press(KEY.tab);
    // ns1 exists, netns is a keyword: both start with "n" -> candidates listed
    expect(live(t.lastFrame())).toMatch(/completions: .*ns1/);
  });

  it('? on an empty prompt lists the keys', async () => {
    const t = await mount();
    await t.type('?');
    await t.waitFor('Keys');
    expect(live(t.lastFrame())).toContain('Ctrl-T');
    expect(live(t.lastFrame())).toContain('run the solution for me');
    await t.press(KEY.esc);
    await t.waitFor('Enter to continue');
  });

  it('a step needing a missing kernel feature says what to do', async () => {
    const t = await mount({
      unlockAll: true,
      info: { features: { ipip: false, gre: false } },
      progress: { ...emptyProgress(), current: { lesson: 'veth', step: 'tunnel' } },
    });
    await t.waitFor('needs ipip tunnels');
    const said = stripVTControlCharacters(live(t.lastFrame())).replace(/\s+/g, ' ');
    expect(said).toContain('`sudo modprobe ipip`');
    expect(said).toContain('Ctrl-X skips this step');
  });

  it('type-ahead: lines typed while a command runs are kept in order, none merged or lost', async () => {
    const t = await mount({ delayMs: 150, progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } } });
    // `echo A` Enter `echo B` Enter within a few milliseconds, the first still running
    for (const ch of 'echo A\recho B\r') t.write(ch);
    await t.waitFor((f) => /^❯ echo B$/m.test(f) && /^B$/m.test(f));
    const f = t.lastFrame();
    expect(f.indexOf('❯ echo A')).toBeLessThan(f.indexOf('❯ echo B'));
    expect(f).not.toContain('echo Aecho B');
    expect(t.sandbox().ran.filter((c) => c.startsWith('echo'))).toEqual(['echo A', 'echo B']);
  });

  it('keys that reach the tutor in one read (a busy machine, the browser lab) still act one by one', async () => {
    const t = await mount({ progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } } });
    // a typo fixed with Backspace, then Enter, all in one chunk: ink alone would insert it as text
    t.write('sudo ip netns add ns1x\u007f\r');
    await t.waitFor('❯ sudo ip netns add ns1');
    await until(() => t.sandbox().ran.includes('sudo ip netns add ns1'), 3000, 'the command to run');
    // Ctrl-S then Enter in one chunk: the solve key, then the next step
    t.write(`${KEY.ctrl('s')}\r`);
    await until(() => t.session.current.key !== 'namespaces/make-ns', 3000, 'the next step');
    expect(t.sandbox().ran).toContain('sudo ip netns add ns2');
    expect(t.sandbox().ran.filter((c) => c.includes('\u0013') || c.includes('ns1x'))).toEqual([]);
  });

  it('a pasted block runs line by line, and an unfinished last line stays on the prompt', async () => {
    const t = await mount({ progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } } });
    t.write('sudo ip netns add ns1\nsudo ip netns add ns2\necho not yet');
    await t.waitFor('step complete: Two namespaces');
    expect(live(t.lastFrame())).toMatch(/^❯ echo not yet/m);
    expect(t.sandbox().ran).toContain('sudo ip netns add ns2');
    expect(t.sandbox().ran).not.toContain('echo not yet');
  });

  it('what waits is shown; Ctrl-C stops the running command and drops what was typed ahead, as a terminal does', async () => {
    const t = await mount({ progress: { ...emptyProgress(), current: { lesson: 'namespaces', step: 'make-ns' } } });
    t.write('sleep 5\recho B\r');
    await t.waitFor('typed ahead: echo B');
    await t.press(KEY.ctrl('c'));
    await t.waitFor('^C interrupted');
    await sleep(100);
    expect(t.sandbox().ran).not.toContain('echo B');
    expect(live(t.lastFrame())).not.toContain('typed ahead');
  });
});
