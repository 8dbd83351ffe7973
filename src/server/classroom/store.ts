import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { EventBody, LearnerState } from './protocol.js';

// The class's state in SQLite (better-sqlite3, loaded only here and only by `classroom`), so a
// restart of the server loses nothing: the class code and key, every learner's latest state,
// screen and map, every event they reported, raised hands and broadcasts. WAL mode: the
// dashboard's reads never wait for the learners' writes.

export interface LearnerRow {
  id: string;
  name: string;
  lab: boolean;
  private: boolean;
  lang: string;
  joinedAt: number;
  lastSeen: number;
  state: LearnerState | null;
  /** server time the learner's current step began (from the reported duration) */
  stepSince: number;
  /** the failing check (lesson/step/check) and since when it has been the same one */
  failKey: string | null;
  failSince: number;
  screen: string[];
  map: string[];
  lastSeq: number;
}

export interface EventRow {
  learnerId: string;
  seq: number;
  at: number;
  body: EventBody;
}

export interface HandRow {
  id: number;
  learnerId: string;
  raisedAt: number;
  resolvedAt: number | null;
}

export interface BroadcastRow {
  id: number;
  at: number;
  text: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS learners (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, lab INTEGER NOT NULL, private INTEGER NOT NULL, lang TEXT NOT NULL,
  joined_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, state TEXT, step_since INTEGER NOT NULL DEFAULT 0,
  fail_key TEXT, fail_since INTEGER NOT NULL DEFAULT 0, screen TEXT NOT NULL DEFAULT '[]', map TEXT NOT NULL DEFAULT '[]',
  last_seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS events (
  learner_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (learner_id, seq));
CREATE TABLE IF NOT EXISTS hands (
  id INTEGER PRIMARY KEY AUTOINCREMENT, learner_id TEXT NOT NULL, raised_at INTEGER NOT NULL, resolved_at INTEGER);
CREATE TABLE IF NOT EXISTS broadcasts (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, text TEXT NOT NULL);
`;

interface RawLearner {
  id: string;
  name: string;
  lab: number;
  private: number;
  lang: string;
  joined_at: number;
  last_seen: number;
  state: string | null;
  step_since: number;
  fail_key: string | null;
  fail_since: number;
  screen: string;
  map: string;
  last_seq: number;
}

const toLearner = (r: RawLearner): LearnerRow => ({
  id: r.id,
  name: r.name,
  lab: r.lab === 1,
  private: r.private === 1,
  lang: r.lang,
  joinedAt: r.joined_at,
  lastSeen: r.last_seen,
  state: r.state ? (JSON.parse(r.state) as LearnerState) : null,
  stepSince: r.step_since,
  failKey: r.fail_key,
  failSince: r.fail_since,
  screen: JSON.parse(r.screen) as string[],
  map: JSON.parse(r.map) as string[],
  lastSeq: r.last_seq,
});

export class ClassStore {
  private constructor(private readonly db: BetterSqlite3.Database) {}

  /** Open (or create) the class in `stateDir`/class.db. */
  static async open(stateDir: string): Promise<ClassStore> {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(stateDir, 'class.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    return new ClassStore(db);
  }

  close(): void {
    this.db.close();
  }

  getMeta(key: string): string | undefined {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value;
  }
  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  learners(): LearnerRow[] {
    return (this.db.prepare('SELECT * FROM learners ORDER BY joined_at, id').all() as RawLearner[]).map(toLearner);
  }
  /** A learner without the mirrored screen and map (what a tile needs; the cheap read). */
  learnerBrief(id: string): LearnerRow | undefined {
    const r = this.db.prepare(`SELECT *, '[]' AS screen, '[]' AS map FROM learners WHERE id = ?`).get(id) as RawLearner | undefined;
    return r && toLearner(r);
  }
  learnersBrief(): LearnerRow[] {
    return (this.db.prepare(`SELECT *, '[]' AS screen, '[]' AS map FROM learners ORDER BY joined_at, id`).all() as RawLearner[]).map(
      toLearner,
    );
  }
  learner(id: string): LearnerRow | undefined {
    const r = this.db.prepare('SELECT * FROM learners WHERE id = ?').get(id) as RawLearner | undefined;
    return r && toLearner(r);
  }
  countLearners(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM learners').get() as { n: number }).n;
  }

  /** A learner says hello: new, or back (the same id) with perhaps a new name. */
  upsertLearner(l: { id: string; name: string; lab: boolean; private: boolean; lang: string; now: number }): LearnerRow {
    this.db
      .prepare(
        `INSERT INTO learners (id, name, lab, private, lang, joined_at, last_seen) VALUES (@id, @name, @lab, @private, @lang, @now, @now)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, lab = excluded.lab, private = excluded.private,
           lang = excluded.lang, last_seen = excluded.last_seen`,
      )
      .run({ ...l, lab: l.lab ? 1 : 0, private: l.private ? 1 : 0 });
    // A learner who turned private takes their screen and map off the instructor's machine.
    if (l.private) this.db.prepare(`UPDATE learners SET screen = '[]', map = '[]' WHERE id = ?`).run(l.id);
    return this.learner(l.id)!;
  }

  saveState(id: string, state: LearnerState, now: number): void {
    const prev = this.learnerBrief(id);
    if (!prev) return;
    const stepChanged = !prev.state || prev.state.lessonId !== state.lessonId || prev.state.stepId !== state.stepId;
    const stepSince = stepChanged || prev.stepSince === 0 ? now - state.onStepMs : prev.stepSince;
    const failKey = state.failing ? `${state.lessonId}/${state.stepId}/${state.failing.id}` : null;
    const failSince = failKey === null ? 0 : failKey === prev.failKey ? prev.failSince : now;
    this.db
      .prepare('UPDATE learners SET state = ?, step_since = ?, fail_key = ?, fail_since = ?, last_seen = ? WHERE id = ?')
      .run(JSON.stringify(state), stepSince, failKey, failSince, now, id);
  }

  saveLines(id: string, which: 'screen' | 'map', lines: string[], now: number): void {
    this.db
      .prepare(`UPDATE learners SET ${which === 'screen' ? 'screen' : 'map'} = ?, last_seen = ? WHERE id = ?`)
      .run(JSON.stringify(lines), now, id);
  }

  touch(id: string, now: number): void {
    this.db.prepare('UPDATE learners SET last_seen = ? WHERE id = ?').run(now, id);
  }

  /** Store an event once: a replayed one (same seq) is ignored. Returns whether it was new. */
  addEvent(id: string, seq: number, body: EventBody, now: number): boolean {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO events (learner_id, seq, at, kind, body) VALUES (?, ?, ?, ?, ?)')
      .run(id, seq, now, body.kind, JSON.stringify(body));
    if (r.changes === 0) return false;
    this.db.prepare('UPDATE learners SET last_seq = max(last_seq, ?) WHERE id = ?').run(seq, id);
    return true;
  }

  events(id: string, limit: number, kind?: string): EventRow[] {
    const rows = (
      kind
        ? this.db.prepare('SELECT * FROM events WHERE learner_id = ? AND kind = ? ORDER BY seq DESC LIMIT ?').all(id, kind, limit)
        : this.db.prepare('SELECT * FROM events WHERE learner_id = ? ORDER BY seq DESC LIMIT ?').all(id, limit)
    ) as { learner_id: string; seq: number; at: number; body: string }[];
    return rows.reverse().map((r) => ({ learnerId: r.learner_id, seq: r.seq, at: r.at, body: JSON.parse(r.body) as EventBody }));
  }

  /** Counts of events by learner and kind (hints, solves, skips, mistakes) for the export. */
  eventCounts(): Map<string, Record<string, number>> {
    const rows = this.db
      .prepare(
        `SELECT learner_id AS id, kind, json_extract(body, '$.how') AS how, json_extract(body, '$.mistake') AS mistake, count(*) AS n
         FROM events GROUP BY learner_id, kind, how, mistake IS NOT NULL`,
      )
      .all() as { id: string; kind: string; how: string | null; mistake: string | null; n: number }[];
    const out = new Map<string, Record<string, number>>();
    for (const r of rows) {
      const m = out.get(r.id) ?? {};
      const k = r.kind === 'completed' ? (r.how ?? 'completed') : r.kind === 'checks' && r.mistake ? 'mistakes' : r.kind;
      m[k] = (m[k] ?? 0) + r.n;
      out.set(r.id, m);
    }
    return out;
  }

  raiseHand(id: string, now: number): void {
    if (this.openHand(id)) return;
    this.db.prepare('INSERT INTO hands (learner_id, raised_at) VALUES (?, ?)').run(id, now);
  }
  lowerHand(id: string, now: number): void {
    this.db.prepare('UPDATE hands SET resolved_at = ? WHERE learner_id = ? AND resolved_at IS NULL').run(now, id);
  }
  resolveHand(handId: number, now: number): HandRow | undefined {
    this.db.prepare('UPDATE hands SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL').run(now, handId);
    const r = this.db.prepare('SELECT * FROM hands WHERE id = ?').get(handId) as RawHand | undefined;
    return r && toHand(r);
  }
  openHand(id: string): HandRow | undefined {
    const r = this.db.prepare('SELECT * FROM hands WHERE learner_id = ? AND resolved_at IS NULL').get(id) as RawHand | undefined;
    return r && toHand(r);
  }
  /** The help queue, oldest first. */
  openHands(): HandRow[] {
    return (this.db.prepare('SELECT * FROM hands WHERE resolved_at IS NULL ORDER BY raised_at, id').all() as RawHand[]).map(toHand);
  }

  addBroadcast(text: string, now: number): BroadcastRow {
    const r = this.db.prepare('INSERT INTO broadcasts (at, text) VALUES (?, ?)').run(now, text);
    return { id: Number(r.lastInsertRowid), at: now, text };
  }
  broadcastsAfter(id: number): BroadcastRow[] {
    return this.db.prepare('SELECT id, at, text FROM broadcasts WHERE id > ? ORDER BY id').all(id) as BroadcastRow[];
  }
  lastBroadcast(): BroadcastRow | undefined {
    return this.db.prepare('SELECT id, at, text FROM broadcasts ORDER BY id DESC LIMIT 1').get() as BroadcastRow | undefined;
  }
}

interface RawHand {
  id: number;
  learner_id: string;
  raised_at: number;
  resolved_at: number | null;
}
const toHand = (r: RawHand): HandRow => ({ id: r.id, learnerId: r.learner_id, raisedAt: r.raised_at, resolvedAt: r.resolved_at });
