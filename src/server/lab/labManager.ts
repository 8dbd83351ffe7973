import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { WebSocket } from 'ws';
import type { Lang } from '../../i18n/lang.js';
import type { BackendChoice } from '../../sandbox/factory.js';
import { newLearnerId } from '../classroom/secrets.js';
import type { BoundsPlacer } from './bounds.js';
import { LabSession } from './session.js';

// Every attendee of the browser lab: who holds which token, who has a running tutor (and so a
// sandbox), admission against the class's maximum, idle warning and reaping, the instructor's
// reset. Tokens are kept as hashes with the attendee's id and name in the lab's state directory,
// so a restarted server still knows its attendees (their progress is there too; a sandbox is not).

export interface LabManagerOptions {
  stateDir: string;
  courseDir: string;
  backend: BackendChoice;
  max: number;
  idleMs: number;
  /** how long before reaping the page warns */
  warnMs: number;
  joinUrl: () => string;
  placer: BoundsPlacer;
  workerPath: string;
  env: NodeJS.ProcessEnv;
  sweepMs?: number;
}

interface Record_ {
  hash: string;
  learnerId: string;
  name: string;
  lang: Lang;
}

export type Admission = { ok: true; session: LabSession; resumed: boolean } | { ok: false; max: number };

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = (): string => randomBytes(32).toString('base64url');

export class LabManager {
  private readonly byHash = new Map<string, LabSession>();
  private readonly file: string;
  private readonly sweeper: NodeJS.Timeout;

  constructor(readonly o: LabManagerOptions) {
    mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
    this.file = path.join(o.stateDir, 'sessions.json');
    for (const r of this.load()) this.byHash.set(r.hash, this.makeSession(r.hash, r.learnerId, r.name, r.lang));
    this.sweeper = setInterval(() => this.sweep(), o.sweepMs ?? 10_000);
    this.sweeper.unref();
  }

  get running(): number {
    let n = 0;
    for (const s of this.byHash.values()) if (s.running) n++;
    return n;
  }

  get remaining(): number {
    return Math.max(0, this.o.max - this.running);
  }

  sessions(): LabSession[] {
    return [...this.byHash.values()];
  }

  byLearner(id: string): LabSession | undefined {
    return this.sessions().find((s) => s.learnerId === id);
  }

  /** The session a token names, if any (the page's GET asks whether to show "the class is full"). */
  known(token: string | undefined): LabSession | undefined {
    return token ? this.byHash.get(hashOf(token)) : undefined;
  }

  /**
   * A browser says hello. A running session is always taken back; one without a tutor (new,
   * reaped, or from before a restart) needs a free place.
   */
  admit(token: string | null, name: string, lang: Lang, socket: WebSocket, columns: number, rows: number): Admission & { token?: string } {
    let t = token;
    let s = t ? this.byHash.get(hashOf(t)) : undefined;
    const resumed = s !== undefined;
    if (!s?.running && this.remaining === 0) return { ok: false, max: this.o.max };
    if (!s || !t) {
      t = newToken();
      s = this.makeSession(hashOf(t), newLearnerId(), name, lang);
      this.byHash.set(hashOf(t), s);
      this.save();
    }
    if (!s.running) s.start(columns, rows);
    s.attach(socket, columns, rows);
    return { ok: true, session: s, resumed, token: t };
  }

  /** The instructor's reset: the sandbox rebuilt to the attendee's current step. */
  reset(learnerId: string): 'reset' | 'not-running' | 'unknown' {
    const s = this.byLearner(learnerId);
    if (!s) return 'unknown';
    return s.reset() ? 'reset' : 'not-running';
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all(this.sessions().map((s) => s.stop('server')));
  }

  /** Warn, then reap, whoever has not typed for a while; their place goes to the next attendee. */
  sweep(now = Date.now()): void {
    for (const s of this.byHash.values()) {
      if (!s.running) continue;
      const idle = now - s.lastActive;
      if (idle >= this.o.idleMs) void s.stop('reaped');
      else if (idle >= this.o.idleMs - this.o.warnMs && !s.warned) {
        s.warned = true;
        s.send({ t: 'idle', reapInMs: this.o.idleMs - idle });
      }
    }
  }

  private makeSession(hash: string, learnerId: string, name: string, lang: Lang): LabSession {
    return new LabSession(hash, learnerId, name, lang, {
      workerPath: this.o.workerPath,
      courseDir: this.o.courseDir,
      backend: this.o.backend,
      joinUrl: this.o.joinUrl,
      progressRoot: path.join(this.o.stateDir, 'attendees'),
      placer: this.o.placer,
      env: this.o.env,
    });
  }

  private load(): Record_[] {
    try {
      const rows = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      if (!Array.isArray(rows)) return [];
      return rows.filter(
        (r): r is Record_ =>
          typeof r === 'object' &&
          r !== null &&
          typeof r.hash === 'string' &&
          /^[0-9a-f]{32}$/.test(String(r.learnerId)) &&
          typeof r.name === 'string',
      );
    } catch {
      return [];
    }
  }

  private save(): void {
    const rows: Record_[] = [...this.byHash.entries()].map(([hash, s]) => ({ hash, learnerId: s.learnerId, name: s.name, lang: s.lang }));
    writeFileAtomic.sync(this.file, JSON.stringify(rows), { mode: 0o600 });
  }
}
