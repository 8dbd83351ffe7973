import type { WebSocket } from 'ws';
import { plainText } from './escape.js';
import { tokenBucket } from './rateLimit.js';
import type { ClassHub } from './hub.js';
import {
  LIMITS,
  learnerMessageSchema,
  parseFrame,
  type EventBody,
  type LearnerMessage,
  type LearnerState,
  type ServerMessage,
} from './protocol.js';

// One learner's connection: hello first (within a few seconds), then state, events, screen and
// map, each validated by the schema. A token bucket caps the rate; a client that keeps sending
// garbage or floods is disconnected, and nothing it sends can reach another learner.

const HELLO_MS = 5_000;
const STRIKES = 20;
const BROADCAST_FRESH_MS = 15 * 60_000;

const clean = (lines: string[]) => lines.map((l) => plainText(l, LIMITS.lineChars));

function cleanState(s: LearnerState): LearnerState {
  return {
    ...s,
    lessonTitle: plainText(s.lessonTitle, LIMITS.text),
    stepTitle: plainText(s.stepTitle, LIMITS.text),
    failing: s.failing && { ...s.failing, reason: plainText(s.failing.reason, LIMITS.text) },
    mistake: s.mistake && { ...s.mistake, text: plainText(s.mistake.text, LIMITS.text) },
  };
}

function cleanEvent(b: EventBody): EventBody {
  if (b.kind === 'checks') return { ...b, results: b.results.map((r) => ({ ...r, reason: plainText(r.reason, LIMITS.text) })) };
  if (b.kind === 'command') return { ...b, command: plainText(b.command, LIMITS.text) };
  return b;
}

export function handleLearnerSocket(hub: ClassHub, socket: WebSocket): void {
  let id: string | null = null;
  let strikes = 0;
  const take = tokenBucket(LIMITS.ratePerSec, LIMITS.burst);
  const send = (m: ServerMessage) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(m));
  const helloTimer = setTimeout(() => socket.close(4000, 'hello expected'), HELLO_MS);
  let lastRateError = 0;
  const strike = (code: 'bad-message' | 'rate' | 'hello-first') => {
    // One rate error a second at most: a flood must not be answered with a flood.
    if (code !== 'rate' || Date.now() - lastRateError > 1000) {
      send({ t: 'error', code });
      if (code === 'rate') lastRateError = Date.now();
    }
    if (++strikes === STRIKES) {
      socket.close(1008, 'too many bad messages');
      setTimeout(() => socket.terminate(), 2000).unref();
    }
  };

  socket.on('message', (data, isBinary) => {
    const now = Date.now();
    const allowed = take(now);
    if (strikes >= STRIKES) return; // closing: read nothing more
    if (!allowed) return strike('rate');
    if (isBinary) return strike('bad-message');
    const msg = parseFrame(learnerMessageSchema, data.toString());
    if (!msg) return strike('bad-message');
    if (id === null && msg.t !== 'hello') return strike('hello-first');
    try {
      handle(msg, now);
    } catch {
      strike('bad-message'); // a store error on one message must not end the server
    }
  });
  socket.on('close', () => {
    clearTimeout(helloTimer);
    if (id !== null && hub.online.get(id) === socket && !hub.closed) {
      hub.online.delete(id);
      hub.store.touch(id, Date.now());
      hub.changed(id);
    }
  });
  socket.on('error', () => socket.terminate());

  function handle(msg: LearnerMessage, now: number): void {
    const store = hub.store;
    switch (msg.t) {
      case 'hello': {
        if (id !== null) return;
        const known = store.learner(msg.learnerId);
        if (!known && store.countLearners() >= LIMITS.learners) {
          send({ t: 'error', code: 'full' });
          socket.close(4003, 'class full');
          return;
        }
        clearTimeout(helloTimer);
        id = msg.learnerId;
        // The same tutor connecting again (a network blip): the newest connection wins.
        hub.online.get(id)?.terminate();
        hub.online.set(id, socket);
        const row = store.upsertLearner({
          id,
          name: plainText(msg.name, LIMITS.name).trim() || '?',
          lab: msg.lab ?? false,
          private: msg.private,
          lang: msg.lang,
          now,
        });
        send({ t: 'welcome', title: hub.title, lastSeq: row.lastSeq, gate: hub.gate });
        // What this tutor missed (a reconnect, a late joiner): the last few, if they are still news.
        for (const b of store.broadcastsAfter(msg.lastBroadcast).slice(-3))
          if (now - b.at < BROADCAST_FRESH_MS) send({ t: 'broadcast', id: b.id, text: b.text });
        hub.changed(id, true);
        return;
      }
      case 'state': {
        const s = cleanState(msg.state);
        store.saveState(id!, s, now);
        if (s.hand) store.raiseHand(id!, now);
        else store.lowerHand(id!, now);
        hub.changed(id!);
        return;
      }
      case 'events': {
        let fresh = false;
        for (const e of msg.events) fresh = store.addEvent(id!, e.seq, cleanEvent(e.body), now) || fresh;
        if (fresh) hub.changed(id!, true);
        return;
      }
      case 'screen':
      case 'map': {
        if (store.learnerBrief(id!)?.private) return; // a private learner's screen never reaches the server's disk
        store.saveLines(id!, msg.t, clean(msg.lines), now);
        hub.changed(id!, true);
        return;
      }
      case 'ping':
        send({ t: 'pong' });
        return;
    }
  }
}
