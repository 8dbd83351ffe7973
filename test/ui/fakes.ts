import { lessonSchema, lessonTextSchema } from '../../src/course/schema.js';
import type { Course, Lesson } from '../../src/course/load.js';
import type { RunOptions, RunResult, Sandbox, SandboxInfo } from '../../src/sandbox/types.js';

// A fake sandbox for UI tests: `run` understands a handful of lesson commands and mutates a
// little model of namespaces and links; `query` answers `ip -j ...` from that model with JSON
// shaped like iproute2's, so the engine's checks evaluate for real.

interface FakeLink {
  ifindex: number;
  name: string;
  kind: string;
  up: boolean;
  addrs: string[];
  peer?: { ns: string; ifindex: number };
  data?: Record<string, string>;
}

const ok = (stdout = '', extra: Partial<RunResult> = {}): RunResult => ({
  exitCode: 0,
  signal: null,
  stdout,
  stderr: '',
  timedOut: false,
  truncated: false,
  interrupted: false,
  durationMs: 1,
  ...extra,
});
const fail = (stderr: string, code = 1): RunResult => ({ ...ok(), exitCode: code, stderr });

export class FakeSandbox implements Sandbox {
  info: SandboxInfo;
  ns = new Map<string, FakeLink[]>([['root', []]]);
  nsOrder: string[] = [];
  ran: string[] = [];
  closed = false;
  private nextIndex = new Map<string, number>();

  constructor(
    info: Partial<SandboxInfo> = {},
    /** every command takes this long (to watch a fast-forward) */
    readonly delayMs = 0,
  ) {
    this.info = { backend: 'host', kernel: '6.0-fake', hostUid: 1000, features: { ipip: true, gre: true }, ...info };
  }

  private index(ns: string): number {
    const n = (this.nextIndex.get(ns) ?? 1) + 1;
    this.nextIndex.set(ns, n);
    return n;
  }

  private find(ns: string, name: string) {
    return this.ns.get(ns)?.find((l) => l.name === name);
  }

  async run(commandLine: string, opts: RunOptions = {}): Promise<RunResult> {
    // a script of several lines (the engine's fast-forward) runs line by line, like bash
    if (commandLine.includes('\n')) {
      let last = ok();
      let out = '';
      for (const l of commandLine.split('\n').filter((x) => x.trim())) {
        last = await this.run(l, opts);
        out += last.stdout + last.stderr;
      }
      return { ...last, stdout: out, stderr: '' };
    }
    this.ran.push(commandLine);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const argv = commandLine
      .trim()
      .replace(/^sudo\s+/, '')
      .split(/\s+/);
    const emit = (text: string) => {
      opts.onOutput?.(text, 'stdout');
      return text;
    };
    const line = argv.join(' ');
    let m: RegExpMatchArray | null;
    if (argv[0] === 'sleep') {
      // runs until its time is up or the learner presses Ctrl-C
      emit('sleeping\n');
      const ms = Number(argv[1] ?? 1) * 1000;
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(ok('sleeping\n')), ms);
        opts.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          resolve({ ...ok('sleeping\n'), exitCode: 130, signal: 'SIGINT', interrupted: true });
        });
      });
    }
    if (argv[0] === 'garbage') {
      const g =
        'red:\u001b[31mRED\u001b[0m title:\u001b]0;pwned\u0007 clear:\u001b[2J\u001b[H bin:\u0000\u0001\u0002\u007f\u009b31m end\nprogress 10%\rprogress 100%\nEND\n';
      return ok(emit(g));
    }
    if (argv[0] === 'echo') return ok(emit(argv.slice(1).join(' ') + '\n'));
    if ((m = line.match(/^ip netns add (\S+)$/))) {
      if (this.ns.has(m[1]!)) return fail(`Cannot create namespace file "/run/netns/${m[1]}": File exists`);
      this.ns.set(m[1]!, []);
      this.nsOrder.push(m[1]!);
      return ok();
    }
    if ((m = line.match(/^ip link add (\S+) netns (\S+) type veth peer name (\S+)$/))) {
      const [, a, ns, b] = m as unknown as [string, string, string, string];
      if (!this.ns.has(ns)) return fail(`Cannot find device "${ns}"`);
      const ia = this.index(ns);
      const ib = this.index('root');
      this.ns.get(ns)!.push({ ifindex: ia, name: a, kind: 'veth', up: false, addrs: [], peer: { ns: 'root', ifindex: ib } });
      this.ns.get('root')!.push({ ifindex: ib, name: b, kind: 'veth', up: false, addrs: [], peer: { ns, ifindex: ia } });
      return ok();
    }
    if ((m = line.match(/^ip (?:-n (\S+) )?link set (\S+) up$/))) {
      const l = this.find(m[1] ?? 'root', m[2]!);
      if (!l) return fail(`Cannot find device "${m[2]}"`);
      l.up = true;
      return ok();
    }
    if ((m = line.match(/^ip (?:-n (\S+) )?addr add (\S+) dev (\S+)$/))) {
      const l = this.find(m[1] ?? 'root', m[3]!);
      if (!l) return fail(`Cannot find device "${m[3]}"`);
      l.addrs.push(m[2]!);
      return ok();
    }
    if (line === 'ip netns') return ok(emit([...this.nsOrder].reverse().join('\n') + '\n'));
    return fail(`bash: ${argv[0]}: command not found`, 127);
  }

  private linkJson(ns: string, l: FakeLink) {
    const nsid = l.peer && l.peer.ns !== ns ? (l.peer.ns === 'root' ? 0 : this.nsOrder.indexOf(l.peer.ns)) : undefined;
    return {
      ifindex: l.ifindex,
      ...(l.peer ? { link_index: l.peer.ifindex } : {}),
      ...(nsid !== undefined ? { link_netnsid: nsid } : {}),
      ifname: l.name,
      flags: l.up ? ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] : ['BROADCAST', 'MULTICAST'],
      mtu: 1500,
      operstate: l.up ? 'UP' : 'DOWN',
      link_type: 'ether',
      linkinfo: { info_kind: l.kind, ...(l.data ? { info_data: l.data } : {}) },
      addr_info: l.addrs.map((a) => ({
        family: 'inet',
        local: a.split('/')[0],
        prefixlen: Number(a.split('/')[1] ?? 32),
        scope: 'global',
      })),
    };
  }

  private addrShow(ns: string): RunResult {
    const links = this.ns.get(ns);
    if (!links) return fail(`Cannot open network namespace "${ns}": No such file or directory`, 1);
    const lo = { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK'], mtu: 65536, link_type: 'loopback', addr_info: [] };
    return ok(JSON.stringify([lo, ...links.map((l) => this.linkJson(ns, l))]));
  }

  async query(commands: readonly (readonly string[])[]): Promise<RunResult[]> {
    return commands.map((c) => {
      const a = c.join(' ');
      if (a === 'ip -j netns list')
        return ok(this.nsOrder.length ? JSON.stringify([...this.nsOrder].reverse().map((name, i) => ({ name, id: i }))) : '');
      let m: RegExpMatchArray | null;
      if ((m = a.match(/^ip (?:-n (\S+) )?-j -s -d addr show$/))) return this.addrShow(m[1] ?? 'root');
      if ((m = a.match(/^ip (?:-n (\S+) )?-j route show$/))) return this.ns.has(m[1] ?? 'root') ? ok('[]') : fail('no such netns');
      return fail(`fake: unsupported query ${a}`);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

// ---- a tiny course ----
function lesson(id: string, def: unknown, en: unknown, zh?: unknown): Lesson {
  return {
    id,
    dir: `/fake/${id}`,
    def: lessonSchema.parse(def),
    texts: { en: lessonTextSchema.parse(en), ...(zh ? { zh: lessonTextSchema.parse(zh) } : {}) },
  };
}

export function tinyCourse(): Course {
  return {
    id: 'test',
    dir: '/fake',
    title: { en: 'Test course', zh: '测试课程' },
    lessons: [
      lesson(
        'namespaces',
        {
          format: 2,
          id: 'namespaces',
          steps: [
            { id: 'intro' },
            {
              id: 'make-ns',
              solution: ['sudo ip netns add ns1', 'sudo ip netns add ns2'],
              checks: [
                { id: 'ns1', type: 'netns', name: 'ns1' },
                { id: 'ns2', type: 'netns', name: 'ns2' },
              ],
            },
            { id: 'quiz', checks: [{ id: 'answer', type: 'answer', accept: ['2', 'two', '两个'] }] },
          ],
        },
        {
          title: 'Namespaces',
          steps: {
            intro: { title: 'Rooms in one house', body: 'A **network namespace** is a room with its own network.' },
            'make-ns': {
              title: 'Two namespaces',
              body: 'Make two:\n\n```\nsudo ip netns add ns1\nsudo ip netns add ns2\n```',
              hints: { nudge: 'Use `ip netns add NAME`.', ns2: 'ns2 is still missing: `sudo ip netns add ns2`' },
            },
            quiz: {
              title: 'Quiz: how many?',
              body: '**Question:** how many namespaces did you make?',
              hints: { nudge: 'Count them.', answer: 'Two.' },
            },
          },
        },
        {
          title: '命名空间',
          steps: {
            intro: { title: '一栋房子里的房间', body: '**网络命名空间**就像一个拥有独立网络的房间。' },
            'make-ns': {
              title: '两个命名空间',
              body: '创建两个:\n\n```\nsudo ip netns add ns1\n```',
              hints: { nudge: '用 `ip netns add 名字`。', ns2: '还差 ns2。' },
            },
            quiz: { title: '小测验:几个?', body: '**问题:** 你创建了几个命名空间?', hints: { nudge: '数一数。', answer: '两个。' } },
          },
        },
      ),
      lesson(
        'veth',
        {
          format: 2,
          id: 'veth',
          steps: [
            {
              id: 'cable',
              solution: ['sudo ip link add v1 netns ns1 type veth peer name v1-P'],
              checks: [
                { id: 'v1', type: 'link', netns: 'ns1', name: 'v1', kind: 'veth', peer: 'v1-P', peerNetns: 'root' },
                { id: 'v1-up', type: 'link', name: 'v1-P', state: 'UP' },
              ],
            },
            { id: 'tunnel', requires: ['ipip'], solution: ['echo tunnel'], checks: [{ type: 'netns', name: 'ns1' }] },
          ],
        },
        {
          title: 'Cables',
          steps: {
            cable: {
              title: 'A veth pair',
              body: 'Run `sudo ip link add v1 netns ns1 type veth peer name v1-P` then `sudo ip link set v1-P up`.',
              hints: { v1: 'v1 must live in ns1, its peer v1-P in root.', 'v1-up': 'Bring it up: `sudo ip link set v1-P up`' },
            },
            tunnel: { title: 'A tunnel', body: 'Needs ipip.' },
          },
        },
      ),
    ],
  };
}
