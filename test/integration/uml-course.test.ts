import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCheck } from '../../src/checks/describe.js';
import { playAuto, playCommands, readCommands, resolveStep } from '../../src/cli/commands/play.js';
import { builtins } from '../../src/engine/builtins.js';
import { loadCourse } from '../../src/course/load.js';
import { memoryProgressStore } from '../../src/course/progressStore.js';
import { Controller } from '../../src/engine/controller.js';
import { createUmlSandbox } from '../../src/sandbox/uml/umlSandbox.js';

// The whole course on a real User-Mode Linux kernel: the backend that makes ipip tunnels
// possible on machines (like CI's) whose own kernel cannot.
const course = loadCourse('lessons');
const make = () => createUmlSandbox();

describe('uml: the whole course', () => {
  it('play --auto: every step of every lesson passes', async () => {
    const lines: string[] = [];
    const code = await playAuto({ course, makeSandbox: make, lang: 'en', builtins: builtins(), out: (l) => lines.push(l) });
    expect(lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(lines.at(-1)).toBe(`${lines.length - 1} passed, 0 failed`);
    expect(code).toBe(0);
  }, 300_000);

  it("play --commands: the article's commands, typed as a learner would, complete the course", async () => {
    const lines: string[] = [];
    const code = await playCommands({
      course,
      makeSandbox: make,
      lang: 'en',
      builtins: builtins(),
      out: (l) => lines.push(l),
      commands: readCommands('test/fixtures/article-commands.txt'),
    });
    expect(lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(lines.at(-1)).toBe('course complete');
    expect(code).toBe(0);
  }, 600_000);
});

describe('uml: tunnel checks fail wrong states with the specific reason', () => {
  let s: Controller;
  beforeAll(async () => {
    s = new Controller({ course, makeSandbox: make, store: memoryProgressStore(), lang: 'en', unlockAll: true });
    await s.jump(resolveStep(course, 'tunnel-ns1/add-tunl', 'first'));
  }, 120_000);
  afterAll(() => s?.close());

  /** Apply a wrong state in ns1, read the failing reasons, then remove the tunnel again. */
  async function wrong(commands: string[]): Promise<string[]> {
    for (const c of commands) await s.submit(c);
    const failing = (await s.check()).filter((c) => !c.ok).map((c) => describeCheck(c, 'en'));
    await s.box!.run('ip netns exec ns1 ip tunnel del tunl 2>/dev/null; ip tunnel del tunl 2>/dev/null; true');
    return failing;
  }

  it('local and remote swapped', async () => {
    expect(
      await wrong([
        'ip netns exec ns1 ip tunnel add tunl mode ipip remote 10.10.10.2 local 10.10.20.2',
        'ip netns exec ns1 ip link set tunl up',
        'ip netns exec ns1 ip addr add 10.10.100.10 peer 10.10.200.10 dev tunl',
      ]),
    ).toContain('tunl in ns1 has local and remote swapped (local 10.10.20.2, remote 10.10.10.2)');
  });

  it('a wrong remote', async () => {
    expect(await wrong(['ip netns exec ns1 ip tunnel add tunl mode ipip remote 10.10.20.99 local 10.10.10.2'])).toContain(
      'tunl in ns1 has remote 10.10.20.99, expected 10.10.20.2',
    );
  });

  it('link not up', async () => {
    expect(
      await wrong([
        'ip netns exec ns1 ip tunnel add tunl mode ipip remote 10.10.20.2 local 10.10.10.2',
        'ip netns exec ns1 ip addr add 10.10.100.10 peer 10.10.200.10 dev tunl',
      ]),
    ).toContain('tunl exists in ns1 but is DOWN');
  });

  it('the tunnel made in the root namespace instead of ns1', async () => {
    const f = await wrong(['ip tunnel add tunl mode ipip remote 10.10.20.2 local 10.10.10.2']);
    expect(f).toContain('there is no tunnel tunl in ns1');
  });

  it('the right commands pass every check', async () => {
    for (const c of s.current.step.solution) await s.submit(c);
    expect((await s.check()).filter((c) => !c.ok).map((c) => describeCheck(c, 'en'))).toEqual([]);
    expect(s.stepPassed).toBe(true);
  });
});

describe('uml: the inner address', () => {
  it('an address without its peer is named as such', async () => {
    const s = new Controller({ course, makeSandbox: make, store: memoryProgressStore(), lang: 'en', unlockAll: true });
    try {
      await s.jump(resolveStep(course, 'tunnel-ns1/inner-address', 'first'));
      await s.submit('ip netns exec ns1 ip addr add 10.10.100.10 dev tunl');
      expect(s.checks.filter((c) => !c.ok).map((c) => describeCheck(c, 'en'))).toContain(
        'tunl in ns1 has 10.10.100.10 but no peer; expected peer 10.10.200.10',
      );
    } finally {
      await s.close();
    }
  }, 120_000);
});
