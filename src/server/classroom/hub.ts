import type { WebSocket } from 'ws';
import { lessonTitle, stepText } from '../../course/texts.js';
import type { Course } from '../../course/load.js';
import type { ServerMessage } from './protocol.js';
import { glance, summarise, type ClassGlance, type LearnerSummary } from './status.js';
import type { ClassStore, EventRow } from './store.js';

// The live class: which learners are connected, which dashboards watch, and what to push to
// them. Every change marks a learner dirty; one flush a few ms later sends the dashboards the
// changed tiles (so 200 learners typing make one message per flush, not 200).

const FLUSH_MS = 40;

export interface Hand {
  id: number;
  learnerId: string;
  name: string;
  raisedAt: number;
}

export interface ClassSnapshot {
  title: string;
  joinUrl: string;
  gate: string | null;
  lessons: { id: string; title: string; steps: number }[];
  learners: LearnerSummary[];
  glance: ClassGlance;
  hands: Hand[];
  now: number;
}

export interface LearnerDetail {
  learner: LearnerSummary;
  screen: string[];
  map: string[];
  commands: { at: number; command: string; exitCode: number | null; lessonId: string; stepId: string }[];
  events: EventRow[];
}

interface Dashboard {
  socket: WebSocket;
  watching: string | null;
}

export class ClassHub {
  readonly online = new Map<string, WebSocket>();
  /** set once the server listens */
  joinUrl = '';
  private readonly dashboards = new Set<Dashboard>();
  private dirty = new Set<string>();
  private detailDirty = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  /** the latest summary of every learner (all recomputed by snapshot(), the changed ones by a flush) */
  private tiles = new Map<string, LearnerSummary>();
  private readonly ticker: NodeJS.Timeout;

  constructor(
    readonly store: ClassStore,
    readonly course: Course,
    readonly title: string,
    private readonly stuckMs: number,
    private readonly lang: 'en' | 'zh',
  ) {
    // Status depends on the clock (stuck for N minutes): refresh every tile now and then.
    this.ticker = setInterval(() => this.pushAll(), Math.min(10_000, Math.max(500, stuckMs / 4)));
    this.ticker.unref();
  }

  get gate(): string | null {
    return this.store.getMeta('gate') || null;
  }

  summary(id: string, now = Date.now()): LearnerSummary | null {
    const l = this.store.learnerBrief(id);
    if (!l) return null;
    return this.titled(summarise(l, { online: this.online.has(id), now, stuckMs: this.stuckMs, hand: this.store.openHand(id) }));
  }

  /** Titles in the instructor's language when the step is one of the server's course (else the learner's words). */
  private titled(s: LearnerSummary): LearnerSummary {
    const lesson = this.course.lessons.find((l) => l.id === s.lessonId);
    if (!lesson || !s.stepId || !lesson.def.steps.some((st) => st.id === s.stepId)) return s;
    return { ...s, lessonTitle: lessonTitle(lesson, this.lang), stepTitle: stepText(lesson, s.stepId, this.lang).title };
  }

  /** The whole class, every tile computed afresh (and the tile cache with it). */
  snapshot(): ClassSnapshot {
    const now = Date.now();
    const hands = new Map(this.store.openHands().map((h) => [h.learnerId, h]));
    const learners = this.store
      .learnersBrief()
      .map((l) => this.titled(summarise(l, { online: this.online.has(l.id), now, stuckMs: this.stuckMs, hand: hands.get(l.id) })));
    this.tiles = new Map(learners.map((l) => [l.id, l]));
    return this.assemble(learners, now);
  }

  private assemble(learners: LearnerSummary[], now: number): ClassSnapshot {
    const names = new Map(learners.map((l) => [l.id, l.name]));
    const hands = this.store.openHands();
    return {
      title: this.title,
      joinUrl: this.joinUrl,
      gate: this.gate,
      lessons: this.course.lessons.map((l) => ({ id: l.id, title: lessonTitle(l, this.lang), steps: l.def.steps.length })),
      learners,
      glance: glance(learners),
      hands: hands.map((h) => ({
        id: h.id,
        learnerId: h.learnerId,
        name: names.get(h.learnerId) ?? '',
        raisedAt: h.raisedAt,
      })),
      now,
    };
  }

  /** The class with only the changed tiles recomputed (a flush reads one row per changed learner, not all). */
  private refreshed(ids: readonly string[]): ClassSnapshot {
    const now = Date.now();
    for (const id of ids) {
      const l = this.store.learnerBrief(id);
      if (!l) continue;
      const hand = this.store.openHand(id);
      this.tiles.set(id, this.titled(summarise(l, { online: this.online.has(id), now, stuckMs: this.stuckMs, hand })));
    }
    return this.assemble([...this.tiles.values()], now);
  }

  detail(id: string): LearnerDetail | null {
    const l = this.store.learner(id);
    const learner = this.summary(id);
    if (!l || !learner) return null;
    const commands = this.store
      .events(id, 20, 'command')
      .flatMap((e) =>
        e.body.kind === 'command'
          ? [{ at: e.at, command: e.body.command, exitCode: e.body.exitCode, lessonId: e.body.lessonId, stepId: e.body.stepId }]
          : [],
      );
    return { learner, screen: l.screen, map: l.map, commands, events: this.store.events(id, 40) };
  }

  // ---- dashboards ----

  addDashboard(socket: WebSocket): Dashboard {
    const d: Dashboard = { socket, watching: null };
    this.dashboards.add(d);
    socket.once('close', () => this.dashboards.delete(d));
    this.sendTo(d, { t: 'class', class: this.snapshot() });
    return d;
  }
  get dashboardCount(): number {
    return this.dashboards.size;
  }
  watch(d: Dashboard, id: string | null): void {
    d.watching = id;
    if (id) this.sendTo(d, { t: 'detail', detail: this.detail(id) });
  }

  /** Something about a learner changed: their tile (and their detail, if `detail`) go out on the next flush. */
  changed(id: string, detail = false): void {
    this.dirty.add(id);
    if (detail) this.detailDirty.add(id);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Push the whole class now (gate, hands, a tick of the clock). */
  pushAll(): void {
    if (this.dashboards.size === 0) return;
    const msg = JSON.stringify({ t: 'class', class: this.snapshot() });
    for (const d of this.dashboards) this.sendRaw(d, msg);
  }

  private flush(): void {
    this.timer = null;
    const ids = [...this.dirty];
    const details = [...this.detailDirty];
    this.dirty.clear();
    this.detailDirty.clear();
    if (this.dashboards.size === 0) return;
    const snap = this.refreshed(ids);
    const wanted = new Set(ids);
    const msg = JSON.stringify({
      t: 'update',
      learners: snap.learners.filter((l) => wanted.has(l.id)),
      glance: snap.glance,
      hands: snap.hands,
      gate: snap.gate,
      now: snap.now,
    });
    for (const d of this.dashboards) {
      this.sendRaw(d, msg);
      if (d.watching && (details.includes(d.watching) || wanted.has(d.watching)))
        this.sendTo(d, { t: 'detail', detail: this.detail(d.watching) });
    }
  }

  private sendTo(d: Dashboard, msg: unknown): void {
    this.sendRaw(d, JSON.stringify(msg));
  }
  private sendRaw(d: Dashboard, msg: string): void {
    // A dashboard that cannot keep up (a stalled tab) is dropped rather than buffered without end.
    if (d.socket.bufferedAmount > 8 * 1024 * 1024) {
      d.socket.terminate();
      return;
    }
    if (d.socket.readyState === d.socket.OPEN) d.socket.send(msg);
  }

  // ---- learners ----

  sendLearner(id: string, msg: ServerMessage): void {
    const s = this.online.get(id);
    if (s && s.readyState === s.OPEN) s.send(JSON.stringify(msg));
  }
  sendAllLearners(msg: ServerMessage): void {
    const raw = JSON.stringify(msg);
    for (const s of this.online.values()) if (s.readyState === s.OPEN) s.send(raw);
  }

  closed = false;

  close(): void {
    this.closed = true;
    clearInterval(this.ticker);
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.dashboards) d.socket.terminate();
    for (const s of this.online.values()) s.terminate();
  }
}
