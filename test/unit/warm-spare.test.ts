import { describe, expect, it } from 'vitest';
import type { StepPos } from '../../src/course/progress.js';
import { WarmSpare } from '../../src/engine/warmSpare.js';
import type { RunResult, Sandbox } from '../../src/sandbox/types.js';

// The warm spare's bookkeeping, with sandboxes that only record what ran in them: which steps a
// spare replays, when it is moved on, dropped or handed over.
function recorder() {
  const made: { ran: string[]; closed: boolean }[] = [];
  const make = async (): Promise<Sandbox> => {
    const me = { ran: [] as string[], closed: false };
    made.push(me);
    const ok: RunResult = {
      exitCode: 0,
      signal: null,
      stdout: '',
      stderr: '',
      timedOut: false,
      truncated: false,
      interrupted: false,
      durationMs: 0,
    };
    return {
      info: { backend: 'uml', kernel: 'test', hostUid: 1000, features: { ipip: true, gre: true } },
      run: async (c) => {
        if (me.closed) throw new Error('closed');
        me.ran.push(c);
        return ok;
      },
      query: async () => [],
      close: async () => {
        me.closed = true;
      },
    };
  };
  return { made, make };
}

const at = (step: number): StepPos => ({ lesson: 0, step });
// step i's replay is "s<i>"
const between = (from: StepPos | null, to: StepPos) => {
  const out: string[] = [];
  for (let i = from?.step ?? 0; i < to.step; i++) out.push(`s${i}`);
  return out;
};

describe('WarmSpare', () => {
  it('replays every step before the one it is prepared for, and is moved on as the learner goes', async () => {
    const { made, make } = recorder();
    const spare = new WarmSpare(make, between);
    spare.prepare(at(2));
    spare.prepare(at(4));
    const got = await spare.take(at(4));
    expect(got?.at).toEqual(at(4));
    expect(made).toHaveLength(1);
    expect(made[0]!.ran).toEqual(['s0', 's1', 's2', 's3', 'true']);
    expect(await spare.take(at(4))).toBeNull(); // handed over: there is none left
  });

  it('serves a jump forward from where it is (the caller replays the rest), not a jump back', async () => {
    const { made, make } = recorder();
    const spare = new WarmSpare(make, between);
    spare.prepare(at(3));
    expect(await spare.take(at(1))).toBeNull();
    const got = await spare.take(at(5));
    expect(got?.at).toEqual(at(3));
    expect(made[0]!.closed).toBe(false);
  });

  it('a learner going back drops the spare and prepares a new one; close closes it', async () => {
    const { made, make } = recorder();
    const spare = new WarmSpare(make, between);
    spare.prepare(at(3));
    spare.prepare(at(1));
    await spare.take(at(9)).then((g) => expect(g?.at).toEqual(at(1)));
    await new Promise((r) => setTimeout(r, 0));
    expect(made[0]!.closed).toBe(true);
    expect(made[1]!.ran).toEqual(['s0', 'true']);
    spare.prepare(at(2));
    await spare.close();
    await new Promise((r) => setTimeout(r, 0));
    expect(made[2]!.closed).toBe(true);
  });
});
