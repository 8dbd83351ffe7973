import type { QueryOptions, RunResult, Sandbox } from '../sandbox/types.js';

// Many small state reads sent to the sandbox as one `query` call (one round trip; the backends
// run them concurrently). Each read says how its result is taken in.
export class QueryBatch {
  private readonly reads: { argv: readonly string[]; take: (r: RunResult) => void }[] = [];

  add(argv: readonly string[], take: (r: RunResult) => void): this {
    this.reads.push({ argv, take });
    return this;
  }

  get size(): number {
    return this.reads.length;
  }

  async run(sandbox: Sandbox, opts: QueryOptions = {}): Promise<void> {
    if (this.reads.length === 0) return;
    const results = await sandbox.query(
      this.reads.map((q) => q.argv),
      opts,
    );
    this.reads.forEach((q, i) => {
      const r = results[i];
      if (r) q.take(r);
    });
  }
}
