import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LIMITS, parseJoinUrl } from '../../src/server/classroom/protocol.js';
import { startClassroom, type Classroom } from '../../src/server/classroom/server.js';
import { baseOf, course, getClass, tmpState, until } from '../helpers/classroom.js';

// Bad input against a live classroom server: malformed JSON, huge frames, binary frames, wrong
// class codes and keys, messages out of order, random mutations of valid messages, floods, too
// many learners, oversized HTTP bodies. Through all of it one well-behaved learner and one
// dashboard are still served, and nothing of theirs is seen by anyone else.

let room: Classroom;
let base: string;
let wsUrl: string;
const GOOD_ID = 'a'.repeat(32);

const state = (over: Record<string, unknown> = {}) => ({
  lessonId: 'namespaces',
  stepId: 'add-ns',
  lesson: 1,
  step: 1,
  lessonTitle: 'L',
  stepTitle: 'S',
  completed: 3,
  total: 70,
  onStepMs: 1000,
  passed: false,
  failing: { id: 'ns1', ok: false, reason: 'namespace ns1 does not exist yet' },
  mistake: null,
  hand: false,
  courseDone: false,
  backend: 'uml',
  ...over,
});
const hello = (id: string, over: Record<string, unknown> = {}) => ({
  t: 'hello',
  v: 1,
  learnerId: id,
  name: `L-${id.slice(0, 4)}`,
  private: false,
  lang: 'en',
  lastBroadcast: 0,
  ...over,
});

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { maxPayload: 16 * 1024 * 1024 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}
const closed = (ws: WebSocket) =>
  new Promise<number>((r) => (ws.readyState === WebSocket.CLOSED ? r(-1) : ws.once('close', (code) => r(code))));
const messages = (ws: WebSocket) => {
  const got: Record<string, unknown>[] = [];
  ws.on('message', (d) => got.push(JSON.parse(d.toString()) as Record<string, unknown>));
  return got;
};

/** A seeded PRNG: the same mutations on every run, so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}
function mutate(v: unknown, r: () => number, depth = 0): unknown {
  const pick = r();
  if (v && typeof v === 'object' && !Array.isArray(v) && depth < 4) {
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const k = keys[Math.floor(r() * keys.length)]!;
    if (pick < 0.2) delete o[k];
    else if (pick < 0.8) o[k] = mutate(o[k], r, depth + 1);
    else o[`x${Math.floor(r() * 100)}`] = 'extra';
    return o;
  }
  const junk = [null, -1, 1e308, 'x'.repeat(Math.floor(r() * 5000)), [], {}, true, '<script>', '\u0000\u001b[31m', NaN, 2 ** 53 + 1];
  return junk[Math.floor(pick * junk.length)];
}

let good: WebSocket;
let goodGot: Record<string, unknown>[];
let dash: WebSocket;
let dashGot: Record<string, unknown>[];

/** The good learner and the dashboard are still served: a ping is answered, a change reaches the dashboard. */
async function othersStillServed(tag: string): Promise<void> {
  expect(good.readyState, `${tag}: the good learner's socket`).toBe(WebSocket.OPEN);
  const pongs = goodGot.filter((m) => m.t === 'pong').length;
  good.send(JSON.stringify({ t: 'ping' }));
  await until(`${tag}: pong`, () => goodGot.filter((m) => m.t === 'pong').length > pongs, 5000);
  const completed = Math.floor(Math.random() * 60) + 1;
  good.send(JSON.stringify({ t: 'state', state: state({ completed }) }));
  await until(
    `${tag}: the dashboard sees the change`,
    () =>
      dashGot.some(
        (m) =>
          m.t === 'update' &&
          (m.learners as { id: string; completed: number }[]).some((l) => l.id === GOOD_ID && l.completed === completed),
      ),
    5000,
  );
  const api = await getClass(base, room.instructorKey);
  expect(api.learners.find((l) => l.id === GOOD_ID)?.completed).toBe(completed);
}

beforeAll(async () => {
  room = await startClassroom({ host: '127.0.0.1', port: 0, stateDir: tmpState(), course: await course() });
  base = baseOf(room.joinUrl);
  wsUrl = parseJoinUrl(room.joinUrl)!.wsUrl;
  good = await open(wsUrl);
  goodGot = messages(good);
  good.send(JSON.stringify(hello(GOOD_ID, { name: 'Good' })));
  await until('welcome', () => goodGot.some((m) => m.t === 'welcome'));
  dash = await open(`${base.replace('http', 'ws')}/ws/dashboard?key=${room.instructorKey}`);
  dashGot = messages(dash);
  await othersStillServed('at the start');
});

afterAll(async () => {
  good?.close();
  dash?.close();
  await room?.close();
});

describe('the classroom server under bad input', () => {
  it('refuses wrong class codes and wrong keys before the WebSocket opens', async () => {
    const wrong = wsUrl.replace(/\/ws\/learner\/.*/, '/ws/learner/');
    const attempts = [
      `${wrong}AAAAAAAAAAAAAAAA`,
      `${wrong}${room.classCode}x`,
      `${wrong}${room.instructorKey}`,
      `${base.replace('http', 'ws')}/ws/dashboard?key=${room.classCode}`,
      `${base.replace('http', 'ws')}/ws/dashboard`,
      `${base.replace('http', 'ws')}/ws/learner/`,
    ];
    for (let i = 0; i < 5; i++) for (const url of attempts) await expect(open(url), url).rejects.toThrow(/HTTP 40[34]/);
    await othersStillServed('after wrong codes');
  });

  it('answers malformed JSON and binary frames with an error, then disconnects the sender', async () => {
    const ws = await open(wsUrl);
    const got = messages(ws);
    ws.send('{"t":"hello",');
    ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    await until('an error', () => got.filter((m) => m.t === 'error').length >= 2);
    expect(got[0]).toEqual({ t: 'error', code: 'bad-message' });
    for (let i = 0; i < 50; i++) ws.send(i % 2 ? '[[[[[[[[[[' + '['.repeat(20_000) : 'not json at all \u0000');
    expect(await closed(ws)).toBeGreaterThan(0);
    await othersStillServed('after malformed JSON');
  });

  it('closes a connection that sends a frame over the size cap, without reading it whole', async () => {
    const ws = await open(wsUrl);
    ws.send(JSON.stringify(hello('b'.repeat(32))));
    ws.send(JSON.stringify({ t: 'screen', lines: ['x'.repeat(2 * 1024 * 1024)] }));
    expect(await closed(ws)).toBe(1009);
    await othersStillServed('after a huge frame');
  });

  it('wants hello first, refuses a wrong protocol version and oversized fields', async () => {
    const ws = await open(wsUrl);
    const got = messages(ws);
    ws.send(JSON.stringify({ t: 'state', state: state() }));
    ws.send(JSON.stringify(hello('c'.repeat(32), { v: 2 })));
    ws.send(JSON.stringify(hello('c'.repeat(32), { name: 'n'.repeat(LIMITS.name + 1) })));
    ws.send(JSON.stringify(hello('not-hex-not-hex-not-hex-not-hex!')));
    ws.send(JSON.stringify(hello(GOOD_ID.toUpperCase())));
    await until('four refusals', () => got.length >= 5);
    expect(got.map((m) => m.code)).toEqual(['hello-first', 'bad-message', 'bad-message', 'bad-message', 'bad-message']);
    ws.close();
    await othersStillServed('after bad hellos');
  });

  it('survives thousands of random mutations of valid messages', async () => {
    const r = rng(14);
    const valid = [
      hello('d'.repeat(32)),
      { t: 'state', state: state() },
      {
        t: 'events',
        events: [
          {
            seq: 1,
            body: {
              kind: 'checks',
              lessonId: 'a',
              stepId: 'b',
              passed: false,
              results: [{ id: 'c', ok: false, reason: 'r' }],
              mistake: null,
            },
          },
          { seq: 2, body: { kind: 'command', lessonId: 'a', stepId: 'b', command: 'ip a', exitCode: 0 } },
        ],
      },
      { t: 'screen', lines: ['a', 'b'] },
      { t: 'map', lines: ['m'] },
    ];
    let sent = 0;
    // Each connection is cut off after its 20th bad frame: many connections, so many frames.
    for (let conn = 0; conn < 60; conn++) {
      const ws = await open(wsUrl);
      ws.on('error', () => {});
      const id = conn.toString(16).padStart(32, 'd');
      ws.send(JSON.stringify(hello(id)));
      for (let i = 0; i < 500 && ws.readyState === WebSocket.OPEN; i++) {
        const base = valid[Math.floor(r() * valid.length)]!;
        ws.send(JSON.stringify(mutate(base, r)));
        sent++;
        if (i % 25 === 0) await new Promise((res) => setTimeout(res, 20)); // within the rate cap, mostly
      }
      ws.close();
    }
    expect(sent).toBeGreaterThan(1000);
    await othersStillServed('after random mutations');
    // what got through was validated: every stored learner has a well-formed summary
    const api = await getClass(base, room.instructorKey);
    for (const l of api.learners) expect(l.name.length).toBeLessThanOrEqual(LIMITS.name);
  });

  it('rate-limits a flood and disconnects the flooder; the others do not notice', async () => {
    const ws = await open(wsUrl);
    const got = messages(ws);
    ws.send(JSON.stringify(hello('f'.repeat(32))));
    for (let i = 0; i < 3000 && ws.readyState === WebSocket.OPEN; i++) ws.send(JSON.stringify({ t: 'ping' }));
    expect(await closed(ws)).toBeGreaterThan(0);
    expect(got.some((m) => m.code === 'rate')).toBe(true);
    expect(got.filter((m) => m.t === 'pong').length).toBeLessThanOrEqual(LIMITS.burst + 5);
    await othersStillServed('after a flood');
  });

  it('the HTTP API: wrong keys, oversized and malformed bodies, unknown paths', async () => {
    const key = { authorization: `Bearer ${room.instructorKey}`, 'content-type': 'application/json' };
    const paths = ['/api/class', '/api/export.csv', '/api/export.json', `/api/learners/${GOOD_ID}`];
    for (const p of paths) {
      expect((await fetch(`${base}${p}`)).status, p).toBe(403);
      expect((await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${room.classCode}` } })).status, p).toBe(403);
      expect((await fetch(`${base}${p}?key=${room.instructorKey.slice(0, -1)}`)).status, p).toBe(403);
    }
    for (const p of ['/api/gate', '/api/broadcast', '/api/hands/1/resolve'])
      expect((await fetch(`${base}${p}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status, p).toBe(
        403,
      );
    const post = (p: string, body: string) => fetch(`${base}${p}`, { method: 'POST', headers: key, body });
    expect((await post('/api/broadcast', JSON.stringify({ text: 'x'.repeat(1024 * 1024) }))).status).toBe(413);
    expect((await post('/api/broadcast', '{"text":')).status).toBe(400);
    expect((await post('/api/broadcast', JSON.stringify({ text: 'x'.repeat(LIMITS.broadcast + 1) }))).status).toBe(400);
    expect((await post('/api/broadcast', JSON.stringify({ text: 42 }))).status).toBe(400);
    expect((await post('/api/gate', JSON.stringify({ lessonId: '../../etc/passwd' }))).status).toBe(400);
    expect((await post('/api/hands/abc/resolve', '{}')).status).toBe(404);
    expect((await fetch(`${base}/api/learners/nobody`, { headers: key })).status).toBe(404);
    expect((await fetch(`${base}/join/${room.classCode.slice(1)}`)).status).toBe(404);
    expect((await fetch(`${base}/../../etc/passwd`)).status).toBe(404);
    const many = await Promise.all(Array.from({ length: 300 }, () => fetch(`${base}/api/class`).then((r) => r.status)));
    expect(new Set(many)).toEqual(new Set([403]));
    // every answer carries the page's protections
    const r = await fetch(`${base}/api/class`, { headers: key });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    await othersStillServed('after HTTP abuse');
  });

  it('a learner never sees another learner: the server sends them only their own class messages', async () => {
    const kinds = new Set(goodGot.map((m) => m.t));
    for (const k of kinds) expect(['welcome', 'pong', 'gate', 'broadcast', 'hand-resolved', 'error']).toContain(k);
    expect(JSON.stringify(goodGot)).not.toMatch(/L-d{4}|"learners"/);
  });

  it('caps the class at LIMITS.learners and keeps serving the ones in it', async () => {
    const api = await getClass(base, room.instructorKey);
    const room_ = LIMITS.learners - api.learners.length;
    const sockets: WebSocket[] = [];
    for (let i = 0; i < room_ + 3; i++) {
      const ws = await open(wsUrl);
      ws.on('error', () => {});
      ws.send(JSON.stringify(hello((i + 1).toString(16).padStart(32, '0'))));
      sockets.push(ws);
    }
    const last = sockets.at(-1)!;
    expect(await closed(last)).toBe(4003);
    expect((await getClass(base, room.instructorKey)).learners.length).toBe(LIMITS.learners);
    await othersStillServed('with a full class');
    for (const s of sockets) s.terminate();
  }, 60_000);
});
