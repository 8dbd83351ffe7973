// Learner actions run one at a time, in the order they were asked for: lines typed while a
// command runs wait their turn instead of being lost or merged. Ctrl-C (`interrupt`) stops the
// running action and drops the waiting ones, as a terminal flushes its input on SIGINT.

/** Thrown inside an action when Ctrl-C stopped it; never reaches a caller. */
export class Stopped extends Error {}

export interface QueueHooks {
  /** the lines waiting, after every change */
  onQueue: (lines: string[]) => void;
  /** an action failed: say so, the session goes on */
  onError: (e: unknown) => void;
  /** an action ended (whatever it left running on screen is over) */
  onIdle: () => void;
}

export class ActionQueue {
  private chain: Promise<unknown> = Promise.resolve();
  /** bumped by Ctrl-C: actions asked for before it are dropped */
  private generation = 0;
  private running: AbortController | null = null;
  /** asked for and not finished yet, the running one included */
  private pending = 0;
  private waiting: { id: number; line: string }[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly hooks: QueueHooks) {}

  get busy(): boolean {
    return this.pending > 0;
  }

  /** Run `fn` after everything asked for before it; a typed `line` is shown as waiting meanwhile. */
  run<T>(fn: (signal: AbortSignal) => Promise<T>, fallback: T, line?: string): Promise<T> {
    const gen = this.generation;
    const entry = line !== undefined && this.pending > 0 ? { id: this.nextId++, line } : null;
    if (entry) {
      this.waiting.push(entry);
      this.hooks.onQueue(this.lines());
    }
    this.pending++;
    const p = this.chain.then(async (): Promise<T> => {
      if (entry) {
        this.waiting = this.waiting.filter((q) => q.id !== entry.id);
        this.hooks.onQueue(this.lines());
      }
      if (gen !== this.generation || this.closed) return fallback;
      const ac = new AbortController();
      this.running = ac;
      try {
        return await fn(ac.signal);
      } catch (e) {
        if (!(e instanceof Stopped)) this.hooks.onError(e);
        return fallback;
      } finally {
        this.running = null;
        this.hooks.onIdle();
      }
    });
    void p.finally(() => this.pending--);
    this.chain = p.catch(() => {});
    return p;
  }

  /** Ctrl-C: stop what runs, forget what waits. */
  interrupt(): void {
    this.generation++;
    if (this.waiting.length) {
      this.waiting = [];
      this.hooks.onQueue([]);
    }
    this.running?.abort();
  }

  /** Nothing more runs. */
  close(): void {
    this.closed = true;
    this.interrupt();
  }

  private lines(): string[] {
    return this.waiting.map((q) => q.line);
  }
}
