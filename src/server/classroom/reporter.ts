import WebSocket from 'ws';
import { describeCheck } from '../../checks/describe.js';
import type { CheckResult } from '../../checks/evaluate.js';
import { fraction } from '../../course/progress.js';
import { lessonTitle } from '../../course/texts.js';
import type { Controller } from '../../engine/controller.js';
import type { EngineEvent } from '../../engine/events.js';
import { readWorld } from '../../kernel/snapshot.js';
import { topologyOf } from '../../kernel/topology.js';
import { lineText } from '../../ui/lines.js';
import { renderMap } from '../../ui/map/renderMap.js';
import { attachTranscript } from '../../ui/transcript.js';
import { plainText } from './escape.js';
import {
  LIMITS,
  PROTOCOL_VERSION,
  parseFrame,
  parseJoinUrl,
  serverMessageSchema,
  type EventBody,
  type LearnerMessage,
  type LearnerState,
  type ServerMessage,
} from './protocol.js';

// The learner's side of the classroom: subscribes to the engine's event stream and tells the
// server where the learner is and how it goes; unless private, also a read-only copy of the
// screen (the transcript's lines) and the live map. The server's gate and broadcasts come back
// into the engine. The tutor never waits for the server: a lost server means events are kept
// (up to LIMITS.replay) and sent again, with the whole state, when it comes back.

export interface ReporterOptions {
  controller: Controller;
  joinUrl: string;
  name: string;
  private: boolean;
  learnerId: string;
  /** a browser-lab attendee's tutor */
  lab?: boolean;
  /** columns of the mirrored screen and map */
  width?: number;
  /** reconnect backoff, ms (tests make it short) */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const SEND_DEBOUNCE_MS = 200;
const MAP_DEBOUNCE_MS = 600;
const HEARTBEAT_MS = 15_000;
const MAP_COLUMNS = 76;

export class Reporter {
  private readonly c: Controller;
  private readonly o: ReporterOptions;
  private readonly wsUrl: string;
  private socket: WebSocket | null = null;
  private closed = false;
  private online = false;
  private everOnline = false;
  private toldOffline = false;
  private backoff: number;
  private retry: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastHeard = 0;
  private lastSeq = 0;
  /** the last LIMITS.replay events, for a server that comes back without them */
  private readonly pending: { seq: number; body: EventBody }[] = [];
  /** events not sent yet: they go out together, with the state, every SEND_DEBOUNCE_MS */
  private unsent: { seq: number; body: EventBody }[] = [];
  private screen: string[] = [];
  private map: string[] = [];
  private stepSince = Date.now();
  private lastBroadcast = 0;
  private gateId: string | null | undefined = undefined;
  private sendTimer: NodeJS.Timeout | null = null;
  private mapTimer: NodeJS.Timeout | null = null;
  private dirty = { state: false, screen: false, map: false };
  private readonly detach: (() => void)[] = [];

  constructor(o: ReporterOptions) {
    const j = parseJoinUrl(o.joinUrl);
    if (!j) throw new Error(`not a classroom join URL: ${o.joinUrl}`);
    this.o = o;
    this.c = o.controller;
    this.wsUrl = j.wsUrl;
    this.backoff = o.minBackoffMs ?? 500;
    this.detach.push(this.c.subscribe((e) => this.onEvent(e)));
    if (!o.private) {
      this.detach.push(
        attachTranscript(this.c, {
          out: (line) => this.addScreenLine(line),
          width: Math.min(o.width ?? 100, LIMITS.lineChars),
          stepText: false,
          maxOutputLines: 20,
        }),
      );
    }
  }

  get connected(): boolean {
    return this.online;
  }

  start(): void {
    this.connect();
  }

  close(): void {
    this.closed = true;
    for (const d of this.detach) d();
    for (const t of [this.retry, this.heartbeat, this.sendTimer, this.mapTimer]) if (t) clearTimeout(t);
    this.socket?.close();
    this.socket = null;
  }

  // ---- the engine's side ----

  private onEvent(e: EngineEvent): void {
    const at = () => ({ lessonId: this.c.current.lesson.id, stepId: this.c.current.step.id });
    switch (e.type) {
      case 'step-entered':
        this.stepSince = Date.now();
        this.event({ kind: 'step', ...at() });
        this.scheduleMap();
        break;
      case 'checks':
        this.event({
          kind: 'checks',
          ...at(),
          passed: e.passed,
          results: e.goal.slice(0, LIMITS.checks).map((r, i) => this.checkReport(r, i)),
          mistake: e.mistake?.id ?? null,
        });
        break;
      case 'hint':
        this.event({ kind: 'hint', ...at(), n: e.n, total: e.total });
        break;
      case 'completed': {
        const v = this.c.stepView(e.pos);
        this.event({ kind: 'completed', lessonId: v.lesson.id, stepId: v.step.id, how: e.how });
        break;
      }
      case 'command':
        if (!this.o.private)
          this.event({ kind: 'command', ...at(), command: plainText(e.run.command, LIMITS.text), exitCode: e.run.exitCode });
        this.scheduleMap();
        break;
      case 'hand':
        this.event({ kind: 'hand', raised: e.raised });
        break;
      case 'ready':
        this.scheduleMap();
        break;
      case 'lang':
      case 'course-done':
      case 'gate':
        break;
      case 'closed':
        // The tutor is ending: the last state goes out, then the connection closes.
        this.dirty.state = true;
        this.flush();
        this.close();
        return;
      default:
        return;
    }
    this.dirty.state = true;
    this.scheduleSend();
  }

  private checkReport(r: CheckResult, i: number) {
    return { id: r.check.id ?? `${r.check.type}-${i + 1}`, ok: r.ok, reason: plainText(describeCheck(r, this.c.lang), LIMITS.text) };
  }

  private state(): LearnerState {
    const c = this.c;
    const v = c.getView();
    const cur = c.current;
    const { finished, total } = fraction(c.course, c.progressState);
    const goal = v.goal;
    const i = goal.findIndex((r) => !r.ok && r.key !== 'answer_waiting');
    return {
      lessonId: cur.lesson.id,
      stepId: cur.step.id,
      lesson: cur.pos.lesson,
      step: cur.pos.step,
      lessonTitle: plainText(lessonTitle(cur.lesson, c.lang), LIMITS.text),
      stepTitle: plainText(c.text.title, LIMITS.text),
      completed: finished,
      total,
      onStepMs: Math.max(0, Date.now() - this.stepSince),
      passed: v.passed,
      failing: i >= 0 && !v.passed ? this.checkReport(goal[i]!, i) : null,
      mistake: v.mistake && !v.passed ? { id: v.mistake.id, text: plainText(v.mistake.text, LIMITS.text) } : null,
      hand: v.hand,
      courseDone: v.courseDone,
      backend: v.backend,
    };
  }

  private event(body: EventBody): void {
    // Increasing across runs of the tutor too (the server keeps the newest seq per learner).
    const seq = Math.max(this.lastSeq + 1, Date.now());
    this.lastSeq = seq;
    this.pending.push({ seq, body });
    if (this.pending.length > LIMITS.replay) this.pending.splice(0, this.pending.length - LIMITS.replay);
    this.unsent.push({ seq, body });
    if (this.unsent.length > LIMITS.replay) this.unsent.splice(0, this.unsent.length - LIMITS.replay);
    this.scheduleSend();
  }

  private addScreenLine(line: string): void {
    for (const l of line.split('\n')) this.screen.push(plainText(l, LIMITS.lineChars));
    if (this.screen.length > LIMITS.lines) this.screen.splice(0, this.screen.length - LIMITS.lines);
    this.dirty.screen = true;
    this.scheduleSend();
  }

  private scheduleMap(): void {
    if (this.o.private || this.mapTimer) return;
    this.mapTimer = setTimeout(() => {
      this.mapTimer = null;
      const box = this.c.box;
      if (!box || this.closed) return;
      readWorld(box).then(
        (w) => {
          // 76 columns: the star layout, narrow enough for the dashboard's map pane.
          const lines = renderMap(topologyOf(w), MAP_COLUMNS, this.c.lang).map(lineText);
          this.map = lines.slice(0, LIMITS.lines).map((l) => plainText(l, LIMITS.lineChars));
          this.dirty.map = true;
          this.scheduleSend();
        },
        () => {}, // a sandbox being rebuilt: the next change draws it
      );
    }, MAP_DEBOUNCE_MS);
    this.mapTimer.unref();
  }

  private scheduleSend(): void {
    if (this.sendTimer) return;
    this.sendTimer = setTimeout(() => {
      this.sendTimer = null;
      this.flush();
    }, SEND_DEBOUNCE_MS);
    this.sendTimer.unref();
  }

  private flush(): void {
    if (!this.online) return;
    const events = this.unsent;
    this.unsent = [];
    for (let i = 0; i < events.length; i += LIMITS.replayBatch) this.send({ t: 'events', events: events.slice(i, i + LIMITS.replayBatch) });
    if (this.dirty.state) this.send({ t: 'state', state: this.state() });
    if (this.dirty.screen && !this.o.private) this.send({ t: 'screen', lines: this.screen });
    if (this.dirty.map && !this.o.private) this.send({ t: 'map', lines: this.map });
    this.dirty = { state: false, screen: false, map: false };
  }

  // ---- the server's side ----

  private send(m: LearnerMessage): void {
    const s = this.socket;
    if (this.online && s && s.readyState === WebSocket.OPEN) s.send(JSON.stringify(m));
  }

  private connect(): void {
    if (this.closed) return;
    const s = new WebSocket(this.wsUrl, { handshakeTimeout: 5_000, maxPayload: LIMITS.frameBytes, perMessageDeflate: false });
    this.socket = s;
    s.on('open', () => {
      s.send(
        JSON.stringify({
          t: 'hello',
          v: PROTOCOL_VERSION,
          learnerId: this.o.learnerId,
          name: this.o.name.slice(0, LIMITS.name),
          private: this.o.private,
          ...(this.o.lab ? { lab: true } : {}),
          lang: this.c.lang,
          lastBroadcast: this.lastBroadcast,
        } satisfies LearnerMessage),
      );
    });
    s.on('message', (data) => {
      this.lastHeard = Date.now();
      const m = parseFrame(serverMessageSchema, data.toString());
      if (m) this.onServer(m);
    });
    s.on('unexpected-response', (_req, res) => {
      // A wrong code (403) or a full class (503): say it once, keep trying (the class may restart).
      if (!this.toldOffline) this.c.notify('class_refused', { reason: `HTTP ${res.statusCode}` }, 'warn');
      this.toldOffline = true;
      s.terminate();
    });
    s.on('error', () => {});
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = null;
      const was = this.online;
      this.online = false;
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (this.closed) return;
      if (was || !this.toldOffline) {
        if (!this.toldOffline) this.c.notify('class_offline', undefined, 'warn');
        this.toldOffline = true;
      }
      const wait = this.backoff * (0.75 + Math.random() * 0.5);
      this.backoff = Math.min(this.backoff * 2, this.o.maxBackoffMs ?? 10_000);
      this.retry = setTimeout(() => this.connect(), wait);
      this.retry.unref();
    });
  }

  private onServer(m: ServerMessage): void {
    switch (m.t) {
      case 'welcome': {
        this.online = true;
        this.backoff = this.o.minBackoffMs ?? 500;
        if (!this.everOnline)
          this.c.notify(
            this.o.private ? 'class_joined_private' : 'class_joined_shared',
            { title: plainText(m.title, LIMITS.text) },
            'hint',
          );
        else if (this.toldOffline) this.c.notify('class_back', undefined, 'ok');
        this.everOnline = true;
        this.toldOffline = false;
        // Resync: everything the store does not have yet, then the whole state, screen and map.
        this.unsent = this.pending.filter((p) => p.seq > m.lastSeq);
        this.dirty = { state: true, screen: !this.o.private, map: !this.o.private };
        this.flush();
        this.applyGate(m.gate);
        this.startHeartbeat();
        return;
      }
      case 'gate':
        this.applyGate(m.lessonId);
        return;
      case 'broadcast':
        if (m.id <= this.lastBroadcast) return;
        this.lastBroadcast = m.id;
        this.c.broadcast(m.text);
        return;
      case 'hand-resolved':
        if (this.c.getView().hand) this.c.raiseHand(false, true);
        return;
      case 'pong':
      case 'error':
        return;
    }
  }

  private applyGate(lessonId: string | null): void {
    if (lessonId === this.gateId) return;
    const first = this.gateId === undefined;
    this.gateId = lessonId;
    const index = lessonId === null ? -1 : this.c.course.lessons.findIndex((l) => l.id === lessonId);
    if (lessonId !== null && index < 0) return; // a lesson this tutor's course does not have
    this.c.setGate(index < 0 ? null : index);
    if (index >= 0) this.c.notify('class_gate_set', { lesson: index + 1 }, 'warn');
    else if (!first) this.c.notify('class_gate_open', undefined, 'ok');
  }

  private startHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.lastHeard = Date.now();
    this.heartbeat = setInterval(() => {
      // A server that stopped answering (a dead network, not a closed socket): start over.
      if (Date.now() - this.lastHeard > HEARTBEAT_MS * 3) this.socket?.terminate();
      else this.send({ t: 'ping' });
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }
}

/** Join a class: the reporter starts connecting at once and keeps trying in the background. */
export function joinClass(o: ReporterOptions): Reporter {
  const r = new Reporter(o);
  r.start();
  return r;
}
