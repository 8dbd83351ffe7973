import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { execaNode } from 'execa';
import type { WebSocket } from 'ws';
import type { Lang } from '../../i18n/lang.js';
import type { BackendChoice } from '../../sandbox/factory.js';
import type { BoundsPlacer } from './bounds.js';
import type { EndReason, LabServerMessage } from './socketProtocol.js';
import type { FromWorker, Milestone, ToWorker } from './workerProtocol.js';

// One attendee: their tutor process (started on demand, ended when idle or reset by the class),
// the browser attached to it now (at most one; a reload or a second tab takes over), and when
// they last typed. The token and the progress outlive the process: a reaped attendee who comes
// back gets a fresh sandbox at the same step.

export interface SessionEnv {
  workerPath: string;
  courseDir: string;
  backend: BackendChoice;
  joinUrl: () => string;
  progressRoot: string;
  placer: BoundsPlacer;
  /** environment of the tutor process (colours, what the sandboxes hide) */
  env: NodeJS.ProcessEnv;
}

export class LabSession {
  worker: ChildProcess | null = null;
  socket: WebSocket | null = null;
  lastActive = Date.now();
  warned = false;
  where: Milestone | null = null;
  private syncing = false;
  /** the tutor said it was ending (an exit message), so its process end is no surprise */
  private said = false;
  private size = { columns: 100, rows: 30 };
  private readonly waiters = new Set<(m: Milestone) => void>();

  constructor(
    /** the sha-256 of the attendee's token (the token itself is only ever in their browser) */
    readonly hash: string,
    readonly learnerId: string,
    public name: string,
    public lang: Lang,
    private readonly env: SessionEnv,
  ) {}

  get running(): boolean {
    return this.worker !== null;
  }

  /** The process's pid (bounds, bench). */
  get pid(): number | undefined {
    return this.worker?.pid;
  }

  start(columns: number, rows: number): void {
    if (this.worker) return;
    this.said = false;
    this.size = { columns, rows };
    const w = execaNode(this.env.workerPath, [], {
      env: this.env.env,
      extendEnv: false,
      stdio: ['ignore', 'ignore', 'pipe'],
      ipc: true,
      serialization: 'json',
      reject: false,
      buffer: false,
      cleanup: true, // a server that ends takes its attendees' tutors (and their sandboxes) along
    }) as unknown as ChildProcess;
    this.worker = w;
    // Bounded before it starts anything: it waits for 'start'.
    if (w.pid) this.env.placer.place(w.pid, this.learnerId);
    let log = '';
    w.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    w.on('message', (m: FromWorker) => this.fromWorker(m));
    w.on('error', () => {});
    w.once('exit', (code, signal) => {
      if (process.env.IPIP_TUTOR_DEBUG) process.stderr.write(`lab ${this.learnerId}: tutor exited ${code ?? signal}\n`);
      if (this.worker !== w) return;
      this.worker = null;
      if (log.trim() && process.env.IPIP_TUTOR_DEBUG) process.stderr.write(`lab ${this.learnerId}: ${log}\n`);
      this.env.placer.release(this.learnerId);
      // Killed (memory ceiling, the OOM killer) or crashed before it could say so: the page must not
      // wait on a frozen screen, and the instructor's console says whose tutor stopped and why.
      if (this.said) return;
      const why = log.trim().split('\n').pop() ?? '';
      process.stderr.write(`lab: the tutor of ${JSON.stringify(this.name)} stopped (${code ?? signal})${why ? `: ${why}` : ''}\n`);
      if (this.socket) this.end(this.socket, 'failed');
    });
    this.toWorker({
      t: 'start',
      courseDir: this.env.courseDir,
      backend: this.env.backend,
      lang: this.lang,
      columns,
      rows,
      joinUrl: this.env.joinUrl(),
      learnerId: this.learnerId,
      name: this.name,
      progressDir: path.join(this.env.progressRoot, this.learnerId),
    });
    this.lastActive = Date.now();
    this.warned = false;
  }

  /** A browser takes this session; the previous one (another tab, a dead connection) is told and let go. */
  attach(socket: WebSocket, columns: number, rows: number): void {
    if (this.socket && this.socket !== socket) this.end(this.socket, 'replaced');
    this.socket = socket;
    this.lastActive = Date.now();
    this.warned = false;
    this.resize(columns, rows);
    this.syncing = true;
    this.toWorker({ t: 'attach' });
  }

  detach(socket: WebSocket): void {
    if (this.socket === socket) this.socket = null;
  }

  input(data: string): void {
    this.lastActive = Date.now();
    this.warned = false;
    this.toWorker({ t: 'in', data });
  }

  resize(columns: number, rows: number): void {
    if (columns === this.size.columns && rows === this.size.rows) return;
    this.size = { columns, rows };
    this.toWorker({ t: 'resize', columns, rows });
  }

  reset(): boolean {
    if (!this.worker) return false;
    this.toWorker({ t: 'reset' });
    return true;
  }

  /** End the tutor process (its sandbox goes with it); the page is told why. */
  async stop(reason: EndReason): Promise<void> {
    const w = this.worker;
    if (this.socket) this.end(this.socket, reason);
    if (!w) return;
    const gone = new Promise<void>((r) => w.once('exit', () => r()));
    this.toWorker({ t: 'close' });
    const kill = setTimeout(() => w.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(kill);
  }

  send(m: LabServerMessage): void {
    const s = this.socket;
    if (s && s.readyState === s.OPEN) s.send(JSON.stringify(m));
  }

  /** Resolves at the next milestone that matches (the bench and tests wait on the engine, not on time). */
  next(match: (m: Milestone) => boolean): Promise<Milestone> {
    return new Promise((resolve) => {
      const w = (m: Milestone) => {
        if (!match(m)) return;
        this.waiters.delete(w);
        resolve(m);
      };
      this.waiters.add(w);
    });
  }

  private end(socket: WebSocket, reason: EndReason): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ t: 'ended', reason } satisfies LabServerMessage));
    socket.close(1000, reason);
    if (this.socket === socket) this.socket = null;
  }

  private toWorker(m: ToWorker): void {
    const w = this.worker;
    if (w?.connected) w.send(m);
  }

  private fromWorker(m: FromWorker): void {
    switch (m.t) {
      case 'out':
        // Until the snapshot arrives, output is already part of it.
        if (!this.syncing) this.send({ t: 'out', d: m.data });
        return;
      case 'screen':
        this.syncing = false;
        this.send({ t: 'screen', d: m.data });
        if (this.where) this.send({ t: 'where', ...this.where });
        return;
      case 'milestone':
        this.where = m.m;
        this.send({ t: 'where', ...m.m });
        for (const w of [...this.waiters]) w(m.m);
        return;
      case 'exit':
        this.said = true;
        if (this.socket) this.end(this.socket, m.code === 0 ? 'exit' : 'failed');
        return;
    }
  }
}
