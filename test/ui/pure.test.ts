import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { capOutput, sanitizeOutput, truncate, wrapLine } from '../../src/ui/text.js';
import { joinSoftBreaks, renderMarkdown } from '../../src/ui/markdown.js';
import { editLine, emptyLine, visibleLine } from '../../src/ui/lineEditor.js';
import { complete, wordsFromMarkdown } from '../../src/ui/complete.js';
import { KEYMAP, helpRows, keysFor, matchKey } from '../../src/ui/keymap.js';
import { buildLive, linesToText, type LiveModel } from '../../src/ui/live.js';
import { buildTopology, topologyNames } from '../../src/kernel/topology.js';
import { renderMap } from '../../src/ui/map/renderMap.js';
import { lineText } from '../../src/ui/lines.js';
import { buildHelp } from '../../src/ui/menu.js';
import type { Key } from 'ink';

const key = (k: Partial<Key> = {}): Key =>
  ({
    upArrow: false,
    downArrow: false,
    leftArrow: false,
    rightArrow: false,
    pageDown: false,
    pageUp: false,
    home: false,
    end: false,
    return: false,
    escape: false,
    ctrl: false,
    shift: false,
    tab: false,
    backspace: false,
    delete: false,
    meta: false,
    super: false,
    hyper: false,
    capsLock: false,
    numLock: false,
    ...k,
  }) as Key;

describe('sanitizeOutput', () => {
  it('drops escape sequences and shows other control bytes as ?', () => {
    expect(sanitizeOutput('\u001b[1;31mred\u001b[0m')).toBe('red');
    expect(sanitizeOutput('a\u001b]8;;http://x\u0007link\u001b]8;;\u0007b')).toBe('alinkb');
    expect(sanitizeOutput('x\u0000\u0001y\u007f')).toBe('x??y?');
    expect(sanitizeOutput('\u009b2Jz')).toBe('z');
    expect(sanitizeOutput('evil\u202Eyxz')).toBe('evil?yxz');
  });
  it('resolves carriage returns and expands tabs', () => {
    expect(sanitizeOutput('10%\r50%\r100%\nnext')).toBe('100%\nnext');
    expect(sanitizeOutput('a\r\nb')).toBe('a\nb');
    expect(sanitizeOutput('a\tb')).toBe('a       b');
  });
  it('caps what is kept, keeping the end', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n');
    const c = capOutput(many, { maxChars: 1_000_000, maxLines: 10 });
    expect(c.text.split('\n')).toHaveLength(10);
    expect(c.text.endsWith('line 999')).toBe(true);
    expect(c.dropped).toBe(990);
  });
});

describe('wrapping by display width', () => {
  it('wraps CJK text at column boundaries, two columns per character', () => {
    const lines = wrapLine('网络命名空间就像一个拥有独立网络的房间', 10);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(10);
    expect(lines.join('')).toBe('网络命名空间就像一个拥有独立网络的房间');
  });
  it('wraps words, cuts words longer than a line, and hangs list items', () => {
    expect(wrapLine('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrapLine('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
    expect(wrapLine('  * item with words', 12)).toEqual(['  * item', '    with', '    words']);
  });
  it('keeps colours across a break', () => {
    const l = wrapLine('\u001b[33mone two three\u001b[39m', 8);
    expect(l).toHaveLength(2);
    expect(l[1]!.startsWith('\u001b[33m')).toBe(true);
    for (const x of l) expect(stringWidth(x)).toBeLessThanOrEqual(8);
  });
  it('truncates by width with an ellipsis', () => {
    expect(truncate('网络命名空间', 7)).toBe('网络命…');
    expect(stringWidth(truncate('网络命名空间', 7))).toBeLessThanOrEqual(7);
    expect(truncate('short', 10)).toBe('short');
  });
});

describe('renderMarkdown', () => {
  const md =
    'A **veth pair** is a cable: whatever enters one end comes out of the\nother one.\n\n```\nsudo ip link add v1 netns ns1 type veth peer name v1-P\n```\n\n- **bold** in a list and `code`\n- two';
  it('fits the width it is given, with plain text when colour is off', () => {
    for (const w of [80, 40, 20]) {
      const lines = renderMarkdown(md, w, { color: false });
      const out = lines.map(lineText).join('\n');
      // prose fits; a code block's lines are kept whole, never wrapped (so a copied command works)
      for (const l of lines) if (!l.whole) expect(stringWidth(lineText(l))).toBeLessThanOrEqual(w);
      expect(lines.filter((l) => l.whole).map((l) => lineText(l).trim())).toEqual([
        'sudo ip link add v1 netns ns1 type veth peer name v1-P',
      ]);
      expect(out).not.toContain('\u001b');
      expect(out).not.toContain('**');
    }
    expect(renderMarkdown(md, 80, { color: false }).map(lineText).join('\n')).toContain('bold in a list and code');
  });
  it('joins soft line breaks: a space between words, nothing between CJK characters', () => {
    expect(joinSoftBreaks('the\nother')).toBe('the other');
    expect(joinSoftBreaks('一端放进\n命名空间')).toBe('一端放进命名空间');
  });
  it('does not touch the global marked instance', async () => {
    const { marked } = await import('marked');
    renderMarkdown('**x**', 40);
    expect(marked.parse('**x**')).toBe('<p><strong>x</strong></p>\n');
  });
});

describe('line editor', () => {
  it('edits by grapheme and keeps history with a draft', () => {
    let s = emptyLine();
    s = editLine(s, { type: 'insert', text: 'ip 网络' });
    s = editLine(s, { type: 'backspace' });
    expect(s.text).toBe('ip 网');
    s = editLine(s, { type: 'commit' });
    s = editLine(s, { type: 'insert', text: 'draft' });
    s = editLine(s, { type: 'historyPrev' });
    expect(s.text).toBe('ip 网');
    s = editLine(s, { type: 'historyNext' });
    expect(s.text).toBe('draft');
    s = editLine(s, { type: 'deleteWord' });
    expect(s.text).toBe('');
  });
  it('scrolls a long line so the cursor stays visible', () => {
    const s = editLine(emptyLine(), { type: 'insert', text: 'x'.repeat(100) });
    const v = visibleLine(s, 20);
    expect(stringWidth(v.text)).toBeLessThanOrEqual(19);
    expect(v.cursorCol).toBeLessThanOrEqual(19);
  });
});

describe('completion', () => {
  it('completes a unique word and lists several', () => {
    expect(complete('ip net', 6, ['netns', 'ip']).text).toBe('ip netns ');
    const c = complete('ip n', 4, ['netns', 'ns1', 'neigh']);
    expect(c.candidates).toEqual(['neigh', 'netns', 'ns1']);
    expect(c.text).toBe('ip n');
  });
  it('takes words from a step text code', () => {
    expect(wordsFromMarkdown('Run `ip link add v1-P`:\n```\nsudo ip netns add ns1\n```')).toEqual(
      expect.arrayContaining(['v1-P', 'ns1', 'netns']),
    );
  });
});

describe('keymap', () => {
  it('no key means two things in one mode', () => {
    for (const mode of ['prompt', 'menu', 'help'] as const) {
      const seen = new Map<string, string>();
      for (const b of KEYMAP.filter((x) => x.mode === mode)) {
        for (const k of b.keys) {
          const id = JSON.stringify(k) + (b.when ?? '');
          expect(seen.get(id), `${id} in ${mode}`).toBeUndefined();
          seen.set(id, b.action);
        }
      }
    }
  });
  it('avoids keys terminals send for something else (Ctrl-H, Ctrl-I, Ctrl-J, Ctrl-M, Ctrl-[)', () => {
    const ctrls = KEYMAP.flatMap((b) => b.keys).flatMap((k) => ('ctrl' in k ? [k.ctrl] : []));
    for (const bad of ['h', 'i', 'j', 'm', '[']) expect(ctrls).not.toContain(bad);
  });
  it('maps keys to actions, depending on the prompt', () => {
    expect(matchKey('prompt', 't', key({ ctrl: true }))).toBe('hint');
    expect(matchKey('prompt', 'd', key({ ctrl: true }), true)).toBe('quit');
    expect(matchKey('prompt', 'd', key({ ctrl: true }), false)).toBe('deleteChar');
    expect(matchKey('prompt', '?', key(), true)).toBe('help');
    expect(matchKey('prompt', '?', key(), false)).toBeNull();
    expect(matchKey('prompt', '', key({ delete: true }))).toBe('backspace');
    expect(matchKey('menu', '', key({ escape: true }))).toBe('menuClose');
    expect(keysFor('menu')).toBe('Esc/Ctrl-O');
    expect(helpRows().length).toBeGreaterThan(10);
  });
});

// ---- the map, from iproute2 JSON as the host sandbox prints it ----
const link = (
  ifindex: number,
  ifname: string,
  o: { li?: number; nsid?: number; up?: boolean; addrs?: string[]; kind?: string; data?: Record<string, string> } = {},
) => ({
  ifindex,
  ifname,
  ...(o.li !== undefined ? { link_index: o.li } : {}),
  ...(o.nsid !== undefined ? { link_netnsid: o.nsid } : {}),
  flags: o.up ? ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] : ['BROADCAST', 'MULTICAST'],
  mtu: 1500,
  linkinfo: { info_kind: o.kind ?? 'veth', ...(o.data ? { info_data: o.data } : {}) },
  addr_info: (o.addrs ?? []).map((a) => ({ family: 'inet', local: a.split('/')[0], prefixlen: Number(a.split('/')[1]) })),
});

function articleTopology() {
  // two namespaces whose veths both have ifindex 2 inside: peers must be told apart by link_index
  return buildTopology([
    {
      name: 'ns2',
      nsid: 1,
      links: [
        link(1, 'lo', { kind: 'loopback' }),
        link(2, 'v2', { li: 3, nsid: 0, up: true, addrs: ['10.10.20.2/24'] }),
        link(3, 'tun2', { kind: 'ipip', up: true, data: { local: '10.10.20.2', remote: '10.10.10.2' } }),
      ],
      routes: [
        { dst: '10.10.10.0/24', gateway: '10.10.20.1', dev: 'v2' },
        { dst: '10.10.20.0/24', dev: 'v2', protocol: 'kernel' },
      ],
    },
    {
      name: 'root',
      links: [
        link(1, 'lo', { kind: 'loopback' }),
        link(2, 'v1-P', { li: 2, nsid: 0, up: true, addrs: ['10.10.10.1/24'] }),
        link(3, 'v2-P', { li: 2, nsid: 1, addrs: ['10.10.20.1/24'] }),
        link(4, 'tunl0', { kind: 'ipip' }),
      ],
    },
    {
      name: 'ns1',
      nsid: 0,
      links: [
        link(2, 'v1', { li: 2, nsid: 0, up: true, addrs: ['10.10.10.2/24'] }),
        link(3, 'tun1', { kind: 'ipip', up: true, data: { local: '10.10.10.2', remote: '10.10.20.2' } }),
      ],
    },
  ]);
}

describe('topology', () => {
  it('pairs veth ends across namespaces and reads tunnel endpoints', () => {
    const t = articleTopology();
    expect(t.namespaces.map((n) => n.name)).toEqual(['root', 'ns1', 'ns2']);
    const root = t.namespaces[0]!;
    expect(root.links.map((l) => l.name)).toEqual(['v1-P', 'v2-P']); // lo and tunl0 left out
    expect(root.links[0]!.peer).toEqual({ ns: 'ns1', name: 'v1' });
    expect(root.links[1]!.peer).toEqual({ ns: 'ns2', name: 'v2' });
    expect(t.namespaces[1]!.links[1]!.tunnel).toEqual({ mode: 'ipip', local: '10.10.10.2', remote: '10.10.20.2' });
    expect(t.namespaces[2]!.routes).toEqual([{ dst: '10.10.10.0/24', via: '10.10.20.1', dev: 'v2' }]);
    expect(topologyNames(t)).toEqual(expect.arrayContaining(['ns1', 'ns2', 'v1-P', 'tun1']));
  });

  it('draws boxes, cables and tunnels within the width, in English and Chinese', () => {
    const t = articleTopology();
    for (const lang of ['en', 'zh'] as const)
      for (const w of [120, 80, 60, 59, 40, 20]) {
        const lines = renderMap(t, w, lang).map(lineText);
        for (const l of lines) expect(stringWidth(l), `${lang} ${w}: ${l}`).toBeLessThanOrEqual(w);
      }
    const text = renderMap(t, 80, 'en').map(lineText).join('\n');
    expect(text).toMatch(/v1 UP\s+├────┤ v1-P UP/); // both ends up: a solid cable
    expect(text).toMatch(/v2-P DOWN\s+├╌╌╌╌┤ v2 UP/); // one end down: dashed
    expect(text).toContain('tun1@ns1 ═══ ipip ═══ tun2@ns2');
    expect(text).toContain('10.10.10.0/24');
  });
});

describe('live area', () => {
  const model = (over: Partial<LiveModel> = {}): LiveModel => ({
    lang: 'en',
    header: {
      lessonNo: 3,
      lessonCount: 17,
      lessonTitle: '两台机器之间的网线',
      stepTitle: 'Two veth pairs',
      stepNo: 1,
      stepCount: 2,
      finished: 10,
      total: 56,
    },
    busy: null,
    spinner: '⠋',
    stepKind: 'task',
    checks: Array.from({ length: 6 }, (_, i) => ({
      ok: i % 2 === 0,
      text: `check ${i}: v${i}-P exists in the root namespace but is DOWN and the text is long enough to wrap around`,
    })),
    passed: false,
    courseDone: false,
    blocker: 'this step needs the ipip kernel module',
    notice: { text: 'completions: ns1 ns2 netns' },
    line: editLine(emptyLine(), { type: 'insert', text: 'sudo ip link add v1 netns ns1 type veth peer name v1-P' }),
    mapOn: true,
    topology: articleTopology(),
    mistake: null,
    queue: [],
    ...over,
  });
  it('never has more lines than rows - 1, nor wider than the terminal', () => {
    for (const [columns, rows] of [
      [80, 24],
      [40, 10],
      [120, 40],
      [30, 5],
      [80, 12],
    ] as const)
      for (const busy of [null, { kind: 'run' as const, command: 'ping', output: 'x\n'.repeat(50) }]) {
        for (const lang of ['en', 'zh'] as const) {
          const f = buildLive(model({ busy, lang }), { columns, rows });
          expect(f.lines.length, `${columns}x${rows}`).toBeLessThanOrEqual(Math.max(3, rows - 1));
          for (const l of linesToText(f.lines).split('\n')) expect(stringWidth(l)).toBeLessThanOrEqual(columns);
          if (f.cursor) expect(linesToText([f.lines[f.cursor.y]!]).startsWith('❯')).toBe(true);
        }
      }
  });
  it('keeps the prompt and the header even when tiny', () => {
    const f = buildLive(model(), { columns: 40, rows: 10 });
    const text = linesToText(f.lines);
    expect(text).toMatch(/^─ 3\/17/);
    expect(text).toContain('❯ ');
  });
  it('the help screen fits (and scrolls) in a small terminal', () => {
    const h = buildHelp('zh', { columns: 40, rows: 10 });
    expect(h.length).toBeLessThanOrEqual(8);
    for (const l of h) expect(stringWidth(lineText(l))).toBeLessThanOrEqual(40);
  });
});
