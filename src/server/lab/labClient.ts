import xtermHeadless from '@xterm/headless';
import WebSocket from 'ws';
import type { Lang } from '../../i18n/lang.js';
import type { LabServerMessage } from './socketProtocol.js';

// A browser tab without the browser: the lab's socket protocol from Node. The bench drives many
// attendees with it; tests use it where a real browser would only be slower.

export interface LabClientOptions {
  /** the server's base, e.g. http://127.0.0.1:4321 */
  base: string;
  code: string;
  name: string;
  lang?: Lang;
  token?: string | null;
  cols?: number;
  rows?: number;
}

type Where = Extract<LabServerMessage, { t: 'where' }>;

export class LabClient {
  token: string | null;
  learnerId: string | null = null;
  /** everything the terminal received since the last snapshot */
  output = '';
  full = false;
  ended: string | null = null;
  where: Where | null = null;
  /** the page's idle warning: ms until the sandbox is freed */
  idleWarning: number | null = null;
  /** the whole screen came (after a reconnect) */
  restored = false;
  /** every milestone so far, in order */
  readonly milestones: Where[] = [];
  /** the sandbox is up (the first 'ready' came) */
  ready = false;
  private socket: WebSocket | null = null;
  private readonly waiters = new Set<() => void>();
  /** the terminal as the page's xterm shows it */
  private readonly term: xtermHeadless.Terminal;

  constructor(private readonly o: LabClientOptions) {
    this.token = o.token ?? null;
    this.term = new xtermHeadless.Terminal({ cols: o.cols ?? 100, rows: o.rows ?? 30, scrollback: 2000, allowProposedApi: true });
  }

  /** The text of the terminal's screen and scrollback, once everything received is drawn. */
  screenText(): Promise<string> {
    return new Promise((resolve) =>
      this.term.write('', () => {
        const b = this.term.buffer.active;
        const lines: string[] = [];
        for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
        resolve(lines.join('\n').replace(/\n+$/, ''));
      }),
    );
  }

  /** Connect and say hello; resolves once the server answered with a session (or "full"). */
  open(): Promise<this> {
    const ws = new WebSocket(`${this.o.base.replace(/^http/, 'ws')}/ws/lab/${encodeURIComponent(this.o.code)}`, {
      perMessageDeflate: false,
    });
    this.socket = ws;
    ws.on('message', (data) => this.onMessage(JSON.parse(data.toString()) as LabServerMessage));
    ws.on('close', () => this.changed());
    ws.on('error', () => {});
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          t: 'hello',
          token: this.token,
          name: this.o.name,
          lang: this.o.lang ?? 'en',
          cols: this.o.cols ?? 100,
          rows: this.o.rows ?? 30,
        }),
      ),
    );
    return this.until(() => this.learnerId !== null || this.full || ws.readyState === WebSocket.CLOSED, 60_000).then(() => this);
  }

  type(keys: string): void {
    this.socket?.send(JSON.stringify({ t: 'in', d: keys }));
  }

  /** Wait until `done` holds, re-checked at every message; fails after `ms`. */
  until(done: () => boolean, ms = 60_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `lab client: timed out after ${ms} ms (where: ${JSON.stringify(this.where)}, output tail: ${JSON.stringify(this.output.slice(-300))})`,
          ),
        );
      }, ms);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /** How many milestones came so far: `next(kind, since)` looks only at those after it. */
  mark(): number {
    return this.milestones.length;
  }

  /** The first milestone of this kind (a command finished, checks ran, a step completed...) after `since`. */
  next(kind: Where['kind'], ms = 60_000, since = this.mark()): Promise<Where> {
    const find = () => this.milestones.slice(since).find((m) => m.kind === kind);
    return this.until(() => find() !== undefined, ms).then(() => find()!);
  }

  /**
   * Go through the course as an attendee in a hurry would, up to step `key` (e.g.
   * 'namespaces/add-ns'): Enter on a reading step, Ctrl-S then Enter on a quiz, the step's
   * solution typed on a task (`solutions` gives it), each time waiting for the engine. `pace`:
   * a pause before each typed command, and the time from Enter to the command's end (the bench).
   */
  async walkTo(
    key: string,
    solutions: (key: string) => readonly string[] = () => [],
    ms = 120_000,
    pace: { think?: () => Promise<void>; ran?: (ms: number) => void } = {},
  ): Promise<void> {
    await this.until(() => this.ready, ms);
    let entered = 0; // index of the current step's first milestone
    for (let w = this.where!; w.stepId !== key;) {
      if (!w.reading) {
        // a task or quiz is evaluated as it opens: act once the goal is known
        const goal = await this.next('checks', ms, entered);
        if (!goal.passed && w.quiz) {
          // Ctrl-S answers it; an answer asked while the step was still settling is asked again,
          // and a quiz that still does not complete is skipped (Ctrl-X twice), as an attendee would
          let done = false;
          for (let i = 0; i < 3 && !done; i++) {
            const since = this.mark();
            this.type('\x13');
            done = await this.next('completed', 3000, since).then(
              () => true,
              () => false,
            );
          }
          if (!done) {
            const since = this.mark();
            this.type('\x18');
            await new Promise((r) => setTimeout(r, 300));
            this.type('\x18');
            w = await this.next('step', ms, since);
            entered = this.milestones.indexOf(w);
            continue;
          }
        } else if (!goal.passed) {
          for (const cmd of solutions(w.stepId)) {
            await pace.think?.();
            const since = this.mark();
            const t = performance.now();
            this.type(`${cmd}\r`);
            await this.next('command', ms, since);
            pace.ran?.(performance.now() - t);
            await this.next('checks', ms, since);
          }
        }
      }
      const since = this.mark();
      this.type('\r');
      w = await this.next('step', ms, since);
      entered = this.milestones.indexOf(w);
    }
  }

  close(): void {
    this.socket?.close();
    this.term.dispose();
  }

  private onMessage(m: LabServerMessage): void {
    switch (m.t) {
      case 'session':
        this.token = m.token;
        this.learnerId = m.learnerId;
        break;
      case 'screen':
        this.restored = true;
        this.output = m.d;
        this.term.reset();
        this.term.write(m.d);
        break;
      case 'out':
        this.term.write(m.d);
        this.output += m.d;
        if (this.output.length > 1 << 20) this.output = this.output.slice(-(1 << 19));
        break;
      case 'where':
        this.where = m;
        this.milestones.push(m);
        if (m.kind === 'ready') this.ready = true;
        break;
      case 'idle':
        this.idleWarning = m.reapInMs;
        break;
      case 'full':
        this.full = true;
        break;
      case 'ended':
        this.ended = m.reason;
        break;
      default:
        break;
    }
    this.changed();
  }

  private changed(): void {
    for (const w of [...this.waiters]) w();
  }
}
