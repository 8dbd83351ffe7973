import { describe, expect, it } from 'vitest';
import { csvCell, escapeHtml, plainText } from '../../src/server/classroom/escape.js';
import { joinPage } from '../../src/server/classroom/pages.js';
import { parseFrame, parseJoinUrl, learnerMessageSchema, LIMITS } from '../../src/server/classroom/protocol.js';
import { newClassCode, newInstructorKey, newLearnerId, sameSecret } from '../../src/server/classroom/secrets.js';
import { glance, summarise } from '../../src/server/classroom/status.js';
import { ClassStore, type LearnerRow } from '../../src/server/classroom/store.js';
import { learnerIdFor } from '../../src/cli/commands/join.js';
import { tmpState } from '../helpers/classroom.js';

// The classroom's pure parts and its store: secrets, escaping, the wire format, what a status
// means, and that the SQLite store keeps what a restart must not lose.

const row = (over: Partial<LearnerRow> = {}): LearnerRow => ({
  id: 'a'.repeat(32),
  name: 'Ann',
  lab: false,
  private: false,
  lang: 'en',
  joinedAt: 0,
  lastSeen: 0,
  state: {
    lessonId: 'namespaces',
    stepId: 'add-ns',
    lesson: 1,
    step: 1,
    lessonTitle: 'L',
    stepTitle: 'S',
    completed: 8,
    total: 70,
    onStepMs: 0,
    passed: false,
    failing: { id: 'ns1', ok: false, reason: 'namespace ns1 does not exist yet' },
    mistake: null,
    hand: false,
    courseDone: false,
    backend: 'uml',
  },
  stepSince: 1000,
  failKey: 'namespaces/add-ns/ns1',
  failSince: 1000,
  screen: [],
  map: [],
  lastSeq: 0,
  ...over,
});

describe('classroom secrets', () => {
  it('are long, random and compared whole', () => {
    const codes = new Set(Array.from({ length: 200 }, newClassCode));
    expect(codes.size).toBe(200);
    expect(newClassCode()).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(newInstructorKey()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newLearnerId()).toMatch(/^[0-9a-f]{32}$/);
    const k = newInstructorKey();
    expect(sameSecret(k, k)).toBe(true);
    expect(sameSecret(k.slice(0, -1), k)).toBe(false);
    expect(sameSecret(`${k}x`, k)).toBe(false);
    expect(sameSecret(undefined, k)).toBe(false);
    expect(sameSecret(['x'], k)).toBe(false);
  });
});

describe('escaping', () => {
  it('HTML, CSV (formulas made inert) and control characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell(null)).toBe('""');
    expect(csvCell(3)).toBe('"3"');
    expect(plainText('a\u001b[31mred\u0000\u0007', 100)).toBe('a[31mred');
    expect(plainText('x'.repeat(50), 10)).toBe('x'.repeat(10));
  });
  it('the join page escapes the title and links the lab only when there is one', () => {
    const page = joinPage({ title: '<script>x</script>', joinUrl: 'http://10.0.0.1:8370/join/abcdefgh', labUrl: null });
    expect(page).not.toContain('<script>x');
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).not.toContain('/lab?');
    expect(joinPage({ title: 't', joinUrl: 'u', labUrl: '/lab?code=abc' })).toContain(
      '<a class="lab" href="/lab?code=abc">learn in this browser</a>',
    );
  });
});

describe('the wire format', () => {
  it('join URLs', () => {
    expect(parseJoinUrl('http://10.1.2.3:8370/join/AbCdEfGh12345678')).toEqual({
      origin: 'http://10.1.2.3:8370',
      code: 'AbCdEfGh12345678',
      wsUrl: 'ws://10.1.2.3:8370/ws/learner/AbCdEfGh12345678',
    });
    expect(parseJoinUrl('https://h/join/AbCdEfGh12345678/')?.wsUrl).toBe('wss://h/ws/learner/AbCdEfGh12345678');
    for (const bad of [
      'ftp://h/join/AbCdEfGh12345678',
      'http://h/join/short',
      'http://h/dashboard?key=x',
      'not a url',
      'http://h/join/a/b',
    ])
      expect(parseJoinUrl(bad), bad).toBeNull();
  });
  it('frames are parsed or refused, never half-taken', () => {
    const hello = { t: 'hello', v: 1, learnerId: 'a'.repeat(32), name: 'Ann', private: false, lang: 'en', lastBroadcast: 0 };
    expect(parseFrame(learnerMessageSchema, JSON.stringify(hello))).toEqual(hello);
    expect(parseFrame(learnerMessageSchema, JSON.stringify({ ...hello, lab: true }))).toMatchObject({ lab: true });
    expect(parseFrame(learnerMessageSchema, '{')).toBeNull();
    expect(parseFrame(learnerMessageSchema, JSON.stringify({ ...hello, name: 'x'.repeat(LIMITS.name + 1) }))).toBeNull();
    expect(parseFrame(learnerMessageSchema, JSON.stringify({ t: 'screen', lines: Array(LIMITS.lines + 1).fill('x') }))).toBeNull();
    expect(parseFrame(learnerMessageSchema, JSON.stringify({ t: 'nope' }))).toBeNull();
  });
});

describe('what a status means', () => {
  it('working, stuck after the same check fails long enough, asking for help, done, offline', () => {
    const at = { online: true, stuckMs: 60_000 };
    expect(summarise(row(), { ...at, now: 30_000 }).status).toBe('working');
    const stuck = summarise(row(), { ...at, now: 1000 + 3 * 60_000 });
    expect(stuck).toMatchObject({ status: 'stuck', stuckMinutes: 3, failing: { id: 'ns1' } });
    const hand = { id: 1, learnerId: 'a', raisedAt: 0, resolvedAt: null };
    expect(summarise(row(), { ...at, now: 1000 + 3 * 60_000, hand }).status).toBe('help');
    expect(summarise(row(), { ...at, online: false, now: 2000 }).status).toBe('offline');
    expect(summarise(row({ state: { ...row().state!, courseDone: true } }), { ...at, now: 5e6 }).status).toBe('done');
    expect(summarise(row({ state: null }), { ...at, now: 0 }).status).toBe('joining');
  });
  it('the class at a glance: learners per step, the most failed checks first', () => {
    const s = (id: string, step: string, check: string | null) =>
      summarise(
        row({
          id,
          state: {
            ...row().state!,
            stepId: step,
            step: step === 'add-ns' ? 1 : 2,
            failing: check ? { id: check, ok: false, reason: check } : null,
          },
        }),
        { online: true, stuckMs: 1e9, now: 0 },
      );
    const g = glance([s('1', 'add-ns', 'ns1'), s('2', 'add-ns', 'ns1'), s('3', 'add-ns', 'ns2'), s('4', 'fresh', null)]);
    expect(g.atStep.map((a) => [a.stepId, a.count])).toEqual([
      ['add-ns', 3],
      ['fresh', 1],
    ]);
    expect(g.failing.map((f) => [f.checkId, f.count])).toEqual([
      ['ns1', 2],
      ['ns2', 1],
    ]);
  });
});

describe('the class store', () => {
  it('keeps learners, events (once each), hands and broadcasts across a reopen', async () => {
    const dir = tmpState();
    const a = await ClassStore.open(dir);
    a.setMeta('classCode', 'abc');
    a.upsertLearner({ id: 'a'.repeat(32), name: 'Ann', lab: true, private: false, lang: 'zh', now: 10 });
    a.saveState('a'.repeat(32), row().state!, 5000);
    const body = { kind: 'hint', lessonId: 'l', stepId: 's', n: 1, total: 3 } as const;
    expect(a.addEvent('a'.repeat(32), 7, body, 11)).toBe(true);
    expect(a.addEvent('a'.repeat(32), 7, body, 12)).toBe(false);
    a.raiseHand('a'.repeat(32), 20);
    a.raiseHand('a'.repeat(32), 21); // one open request per learner
    a.addBroadcast('hello', 30);
    a.close();

    const b = await ClassStore.open(dir);
    expect(b.getMeta('classCode')).toBe('abc');
    const l = b.learner('a'.repeat(32))!;
    expect(l).toMatchObject({ name: 'Ann', lab: true, lang: 'zh', lastSeq: 7, failKey: 'namespaces/add-ns/ns1', failSince: 5000 });
    expect(b.events('a'.repeat(32), 10)).toHaveLength(1);
    expect(b.eventCounts().get('a'.repeat(32))).toEqual({ hint: 1 });
    const hands = b.openHands();
    expect(hands).toHaveLength(1);
    expect(b.resolveHand(hands[0]!.id, 40)?.resolvedAt).toBe(40);
    expect(b.openHands()).toHaveLength(0);
    expect(b.broadcastsAfter(0).map((x) => x.text)).toEqual(['hello']);
    // the same failing check keeps its start time; another one starts the clock again
    b.saveState('a'.repeat(32), row().state!, 9000);
    expect(b.learner('a'.repeat(32))!.failSince).toBe(5000);
    b.saveState('a'.repeat(32), { ...row().state!, failing: { id: 'ns2', ok: false, reason: 'r' } }, 9500);
    expect(b.learner('a'.repeat(32))!.failSince).toBe(9500);
    // turning private wipes the mirrored screen and map
    b.saveLines('a'.repeat(32), 'screen', ['$ ip a'], 1);
    b.upsertLearner({ id: 'a'.repeat(32), name: 'Ann', lab: true, private: true, lang: 'zh', now: 50 });
    expect(b.learner('a'.repeat(32))!.screen).toEqual([]);
    b.close();
  });

  it('a learner keeps one id per class across tutor restarts', () => {
    const dir = tmpState();
    const url = 'http://10.0.0.1:8370/join/AbCdEfGh12345678';
    const id = learnerIdFor(url, dir);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(learnerIdFor(url, dir)).toBe(id);
    expect(learnerIdFor('http://10.0.0.1:8370/join/Other12345678901', dir)).not.toBe(id);
  });
});
