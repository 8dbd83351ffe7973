import { describe, expect, it } from 'vitest';
import { matchAnswer, normaliseAnswer } from '../../src/checks/answer.js';
import type { CheckResult } from '../../src/checks/evaluate.js';
import { stepSchema, type StepText } from '../../src/course/schema.js';
import { goalOf } from '../../src/engine/goal.js';
import { nextHint } from '../../src/engine/hints.js';
import { classifyInput } from '../../src/engine/input.js';

describe('quiz answers', () => {
  it('mean the same after normalising case, width, separators, spacing and units', () => {
    const same: [string, string][] = [
      ['20', '20B'],
      ['20', '20 字节'],
      ['20', '20 bytes'],
      ['5', '5种'],
      ['1', '1条'],
      ['ip_tunnel,tunnel4', 'ip_tunnel、tunnel4'],
      ['ip_tunnel,tunnel4', 'ip_tunnel，tunnel4'],
      ['ip_tunnel,tunnel4', 'ip_tunnel 和 tunnel4'],
      ['ip_tunnel,tunnel4', 'ip_tunnel and tunnel4'],
      ['DOWN', 'ｄｏｗｎ'],
      ['DOWN', 'down。'],
      ['64', ' 64 '],
      ['外层 IP 头', '外层IP头'],
    ];
    for (const [a, b] of same) expect(normaliseAnswer(b), `${a} ~ ${b}`).toBe(normaliseAnswer(a));
  });
  it('keep what changes the meaning', () => {
    expect(matchAnswer('lo0', ['lo'])).toBeUndefined();
    expect(matchAnswer('4', ['ipip'])).toBeUndefined();
    expect(matchAnswer('63', ['64'])).toBeUndefined();
    expect(matchAnswer('tunnel4', ['ip_tunnel,tunnel4'])).toBeUndefined();
    expect(matchAnswer('', ['x'])).toBeUndefined();
  });
});

describe('what a line at the prompt is', () => {
  const commands = new Set(['touch', 'mkdir', 'mount', 'yes', 'ip', 'ls']);
  const ctx = (accepts: string[] | null) => ({ accepts, isCommand: async (w: string) => commands.has(w) });
  it('at a question: an accepted answer first, then any command of the sandbox, then a wrong answer', async () => {
    expect(await classifyInput('yes', ctx(['yes', '会']))).toBe('answer'); // both an answer and a command: the answer wins
    expect(await classifyInput('touch x', ctx(['64']))).toBe('command');
    expect(await classifyInput('mkdir d', ctx(['64']))).toBe('command');
    expect(await classifyInput('mount', ctx(['64']))).toBe('command');
    expect(await classifyInput('sixty four', ctx(['64']))).toBe('answer');
    expect(await classifyInput('cat f | grep x', ctx(['64']))).toBe('command');
    expect(await classifyInput('tutor flow', ctx(['64']))).toBe('builtin');
    expect(await classifyInput('   ', ctx(['64']))).toBe('empty');
  });
  it('elsewhere: every line is a command', async () => {
    expect(await classifyInput('64', ctx(null))).toBe('command');
  });
});

const step = stepSchema.parse({
  id: 'a',
  solution: ['ip netns add ns1', 'ip netns add ns2'],
  checks: [
    { id: 'ns1', type: 'netns', name: 'ns1' },
    { id: 'ns2', type: 'netns', name: 'ns2', fix: ['ip netns add ns2'] },
  ],
});
const text: StepText = { title: 'A', body: 'b', hints: { nudge: 'Use ip netns add.', ns2: 'ns2 is missing.' }, mistakes: {}, breaks: {} };
const failing = (id: 'ns1' | 'ns2'): CheckResult => ({
  check: step.checks.find((c) => c.id === id)!,
  ok: false,
  key: 'netns_missing',
  params: { name: id },
});

describe('graduated hints', () => {
  it('a nudge, then what is wrong now, then the exact command; never the same hint twice', () => {
    const given = new Set<string>();
    const seen: string[] = [];
    for (;;) {
      const h = nextHint({ step, text, checks: [failing('ns2')], mistake: null, given });
      if (!h) break;
      given.add(h.hint.key);
      seen.push(`${h.n}/${h.total} L${h.hint.level}`);
      if (h.hint.level === 2) expect(h.hint.text).toBe('ns2 is missing.');
      if (h.hint.level === 3) expect(h.hint.commands).toEqual(['ip netns add ns2']); // the check's fix, not the whole solution
    }
    expect(seen).toEqual(['1/3 L1', '2/3 L2', '3/3 L3']);
  });
  it('what is wrong follows the state: another failing check brings its own hints, the nudge is not repeated', () => {
    const given = new Set(['nudge', 'wrong:ns2', 'cmd:ns2']);
    const h = nextHint({ step, text, checks: [failing('ns1')], mistake: null, given });
    expect(h?.hint).toMatchObject({ level: 2, key: 'wrong:ns1' });
    const next = nextHint({ step, text, checks: [failing('ns1')], mistake: null, given: new Set([...given, 'wrong:ns1']) });
    expect(next?.hint).toMatchObject({ level: 3, commands: ['ip netns add ns1', 'ip netns add ns2'] });
  });
  it('a recognised mistake is what is wrong, and its repair the command', () => {
    const mistake = { id: 'wrong-ns', text: 'ns1 was made in the wrong place.', repair: ['ip netns del x'] };
    const got: string[] = [];
    const given = new Set<string>();
    for (
      let h = nextHint({ step, text, checks: [failing('ns1')], mistake, given });
      h;
      h = nextHint({ step, text, checks: [failing('ns1')], mistake, given })
    ) {
      given.add(h.hint.key);
      got.push(h.hint.level === 3 ? h.hint.commands.join(';') : (h.hint.text ?? ''));
    }
    expect(got).toEqual(['Use ip netns add.', 'ns1 was made in the wrong place.', 'ip netns del x']);
  });
  it('for a failing ping, the exact command is the fix path reasoning found', () => {
    const s = stepSchema.parse({
      id: 'p',
      solution: ['everything'],
      checks: [{ id: 'there', type: 'ping', netns: 'ns1', to: '10.0.0.1' }],
    });
    const res: CheckResult = {
      check: s.checks[0]!,
      ok: false,
      key: 'ping_failed',
      params: {},
      diagnosis: {
        code: 'no_forward',
        direction: 'request',
        ns: 'root',
        src: 'a',
        dst: 'b',
        params: {},
        show: [],
        fix: ['echo 1 > /proc/sys/net/ipv4/ip_forward'],
      },
    };
    const h = nextHint({ step: s, text, checks: [res], mistake: null, given: new Set(['nudge', 'wrong:there']) });
    expect(h?.hint).toMatchObject({ level: 3, commands: ['echo 1 > /proc/sys/net/ipv4/ip_forward'] });
  });

  it('a quiz: its nudge and its stronger hint, never a command', () => {
    const quiz = stepSchema.parse({ id: 'q', checks: [{ id: 'answer', type: 'answer', accept: ['64'] }] });
    const t: StepText = { ...text, hints: { nudge: 'Count the routers.', answer: 'No router decrements the inner ttl.' } };
    const given = new Set<string>();
    const levels: number[] = [];
    for (
      let h = nextHint({ step: quiz, text: t, checks: [], mistake: null, given });
      h;
      h = nextHint({ step: quiz, text: t, checks: [], mistake: null, given })
    ) {
      given.add(h.hint.key);
      levels.push(h.hint.level);
    }
    expect(levels).toEqual([1, 2]);
  });
});

describe('the goal panel', () => {
  it('leaves a hidden check out until it passes', () => {
    const s = stepSchema.parse({
      id: 'p',
      checks: [
        { id: 'ttl', type: 'ping', to: '10.0.0.1', ttl: 63, hidden: true },
        { type: 'netns', name: 'x' },
      ],
    });
    const r = (ok: boolean, i: number): CheckResult => ({ check: s.checks[i]!, ok, key: ok ? 'ping_ok' : 'ping_failed', params: {} });
    expect(goalOf(s, [r(false, 0), r(false, 1)]).map((x) => x.check.type)).toEqual(['netns']);
    expect(goalOf(s, [r(true, 0), r(false, 1)]).map((x) => x.check.type)).toEqual(['ping', 'netns']);
  });
  it('in a challenge (only pings in sight), keeps the hidden settings out until the whole step passes', () => {
    const s = stepSchema.parse({
      id: 'c',
      checks: [
        { type: 'ping', netns: 'ns1', to: '10.0.0.1' },
        { id: 'fwd', type: 'sysctl', key: 'net.ipv4.ip_forward', value: '1', hidden: true },
        { id: 'up', type: 'link', name: 'v1-P', state: 'UP', hidden: true },
      ],
    });
    const r = (i: number, ok: boolean): CheckResult => ({ check: s.checks[i]!, ok, key: ok ? 'sysctl_ok' : 'sysctl_wrong', params: {} });
    // the one hidden setting that passes would point at the other
    expect(goalOf(s, [r(0, false), r(1, true), r(2, false)]).map((x) => x.check.type)).toEqual(['ping']);
    expect(goalOf(s, [r(0, true), r(1, true), r(2, true)], true).map((x) => x.check.type)).toEqual(['ping', 'sysctl', 'link']);
  });

  it('in a troubleshooting step, shows which pings fail, not why', () => {
    const s = stepSchema.parse({ id: 't', breakOneOf: [{ id: 'x', commands: ['true'] }], checks: [{ type: 'ping', to: '10.0.0.1' }] });
    const res: CheckResult = {
      check: s.checks[0]!,
      ok: false,
      key: 'ping_failed',
      params: { why: { key: 'diag_request', params: {} } },
      diagnosis: { code: 'no_forward', direction: 'request', ns: 'root', src: 'a', dst: 'b', params: {}, show: [], fix: [] },
    };
    const [g] = goalOf(s, [res]);
    expect(g!.diagnosis).toBeUndefined();
    expect(g!.params.why).toEqual({ key: 'ping_no_reply' });
  });
});
