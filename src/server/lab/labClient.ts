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
    const ws = new WebSocket(`${this.o.base.replace(/^http/, 'ws')}/ws/lab/${encodeURIComponent(this.o.code)}`, { perMessageDeflate: false });
    this.socket = ws;
    ws.on('message', (data) => this.onMessage(JSON.parse(data.toString()) as LabServerMessage));
    ws.on('close', () => this.changed());
    ws.on('error', () => {});
    ws.on('open', () =>
      ws.send(
        JSON.stringify({ t: 'hello', token: this.token, name: this.o.name, lang: this.o.lang ?? 'en', cols: this.o.cols ?? 100, rows: this.o.rows ?? 30 }),
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
        reject(new Error(`lab client: timed out after ${ms} ms (where: ${JSON.stringify(this.where)}, output tail: ${JSON.stringify(this.output.slice(-300))})`));
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

  /** The next milestone of this kind (a command finished, checks ran, a step completed...). */
  next(kind: string, ms = 60_000): Promise<Where> {
    let seen: Where | null = null;
    const before = this.where;
    const w = this.until(() => {
      if (this.where !== before && this.where?.kind === kind) seen = this.where;
      return seen !== null;
    }, ms);
    return w.then(() => seen!);
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
