import type { StepPos } from '../course/progress.js';
import type { Sandbox } from '../sandbox/types.js';

// A second sandbox kept ready at the start of the learner's current step (every earlier step's
// setup and solution replayed), so that a restart, or a jump forward, does not wait for a boot
// and a fast-forward. It is prepared in the background after each step is entered, only where a
// boot is slow (uml); it costs a second guest's memory, so the front end asks for it.
const before = (a: StepPos, b: StepPos) => a.lesson < b.lesson || (a.lesson === b.lesson && a.step < b.step);

interface Prepared {
  sandbox: Promise<Sandbox | null>;
  /** every step before `at` has been replayed once `chain` settles */
  at: StepPos;
  chain: Promise<boolean>;
}

export class WarmSpare {
  private current: Prepared | null = null;
  private closed = false;

  constructor(
    private readonly make: () => Promise<Sandbox>,
    /** the command lines that take a sandbox from the start of step `from` to the start of `to`, one string per step */
    private readonly between: (from: StepPos | null, to: StepPos) => string[],
  ) {}

  /** Have a sandbox at the start of `pos` soon; a spare already behind it is moved on, one ahead is dropped. */
  prepare(pos: StepPos): void {
    if (this.closed) return;
    const cur = this.current;
    if (cur && !before(pos, cur.at)) {
      const from = cur.at;
      cur.at = pos;
      cur.chain = cur.chain.then(async (ok) => ok && this.replay(await cur.sandbox, from, pos));
      return;
    }
    if (cur) this.drop(cur);
    const sandbox = this.make().catch(() => null);
    const fresh: Prepared = { sandbox, at: pos, chain: sandbox.then((sb) => this.replay(sb, null, pos)) };
    this.current = fresh;
  }

  /** The spare, if it can serve `pos` (it is at or before it); it then belongs to the caller. */
  async take(pos: StepPos): Promise<{ sandbox: Sandbox; at: StepPos } | null> {
    const cur = this.current;
    if (!cur || before(pos, cur.at)) return null;
    this.current = null;
    const ok = await cur.chain;
    const sandbox = await cur.sandbox;
    // A spare that died while it waited is no spare.
    const alive =
      ok && sandbox
        ? await sandbox.run('true').then(
            (r) => r.exitCode === 0,
            () => false,
          )
        : false;
    if (!alive || !sandbox) {
      await sandbox?.close();
      return null;
    }
    return { sandbox, at: cur.at };
  }

  async close(): Promise<void> {
    this.closed = true;
    const cur = this.current;
    this.current = null;
    if (cur) await (await cur.sandbox)?.close();
  }

  private drop(p: Prepared): void {
    void p.sandbox.then((sb) => sb?.close());
  }

  private async replay(sb: Sandbox | null, from: StepPos | null, to: StepPos): Promise<boolean> {
    if (!sb) return false;
    try {
      for (const lines of this.between(from, to)) await sb.run(lines);
      return true;
    } catch {
      return false; // it died: the next rebuild boots afresh
    }
  }
}
