// What a `tcpdump` command line typed in the host sandbox turns into (pure; no I/O). The real
// tcpdump cannot start in a user namespace, so the work is split: dumpcap captures inside the
// sandbox, and the real tcpdump, outside it, reads that capture from a pipe and prints it.
// Everything typed is untrusted: the outside tcpdump only ever gets `-r -`, display flags, a
// packet count and a filter, never an option that reads or writes a file or runs a command.

/** tcpdump 4.99's short options; a letter followed by ':' takes a value. */
const GETOPT = 'aAbB:c:C:dDeE:fF:G:hHi:Ij:JKlLm:M:nNOpqQ:r:s:StT:uUvV:w:W:xXy:Yz:Z:#';
const TAKES_VALUE = new Set([...GETOPT.matchAll(/(.):/g)].map((m) => m[1]!));
const SHORT = new Set(GETOPT.replace(/:/g, ''));

/** Long options and the short option each stands for ('' for those that have none). */
const LONG: Record<string, { short: string; value: boolean }> = {
  'buffer-size': { short: 'B', value: true },
  'list-interfaces': { short: 'D', value: false },
  help: { short: 'h', value: false },
  interface: { short: 'i', value: true },
  'monitor-mode': { short: 'I', value: false },
  'time-stamp-type': { short: 'j', value: true },
  'list-time-stamp-types': { short: 'J', value: false },
  'dont-verify-checksums': { short: 'K', value: false },
  'list-data-link-types': { short: 'L', value: false },
  'no-optimize': { short: 'O', value: false },
  'no-promiscuous-mode': { short: 'p', value: false },
  direction: { short: 'Q', value: true },
  'snapshot-length': { short: 's', value: true },
  'absolute-tcp-sequence-numbers': { short: 'S', value: false },
  'packet-buffered': { short: 'U', value: false },
  linktype: { short: 'y', value: true },
  'relinquish-privileges': { short: 'Z', value: true },
  number: { short: '#', value: false },
  'immediate-mode': { short: '', value: false },
  count: { short: '', value: false },
  print: { short: '', value: false },
  'time-stamp-precision': { short: '', value: true },
  micro: { short: '', value: false },
  nano: { short: '', value: false },
  version: { short: '', value: false },
};

/** Flags that only change how packets are printed: they go to the real tcpdump as typed. */
const DISPLAY = new Set(['A', 'b', 'e', 'f', 'H', 'K', 'n', 'N', 'O', 'q', 'S', 't', 'u', 'v', 'x', 'X', '#']);
// -a, -l and -U are accepted and mean nothing here: the output is always line-buffered.
/** Options this sandbox does not offer, with the reason a learner reads. */
const UNSUPPORTED: Record<string, string> = {
  C: 'file rotation (-C) is not supported here',
  G: 'file rotation (-G) is not supported here',
  W: 'file rotation (-W) is not supported here',
  z: 'post-rotate commands (-z) are not supported here',
  F: 'reading the filter from a file (-F) is not supported here: type the expression',
  V: 'reading a list of files (-V) is not supported here: use -r FILE',
  E: 'ESP decryption (-E) is not supported here',
  m: 'SMI MIB modules (-m) are not supported here',
  Q: 'choosing a direction (-Q) is not supported here: add `inbound` or `outbound` to the filter',
  j: 'time stamp types (-j) are not supported here',
  J: 'time stamp types (-J) are not supported here',
  d: 'dumping the compiled filter (-d) is not supported here',
  Y: 'filter parser debugging (-Y) is not supported here',
};

export type TcpdumpPlan =
  /** Run the real tcpdump with exactly these arguments (help, version, its own usage errors). */
  | { kind: 'delegate'; args: string[] }
  | { kind: 'fail'; message: string }
  /** dumpcap lists interfaces (-D) or link types (-L) inside the sandbox. */
  | { kind: 'list'; dumpcap: string[] }
  | {
      kind: 'capture';
      /** -i, when given; without it the shim picks the first interface, as tcpdump does. */
      device?: string;
      /** dumpcap's arguments without -i: it writes classic pcap to stdout. */
      dumpcap: string[];
      /** -w FILE inside the sandbox ('-' is stdout). */
      writeFile?: string;
      /** Print packets (no -w, or -w with --print). */
      print: boolean;
      /** The real tcpdump's arguments after `-r -`. */
      tcpdump: string[];
      verbose: boolean;
    }
  | { kind: 'read'; file: string; tcpdump: string[] };

const fail = (message: string): TcpdumpPlan => ({ kind: 'fail', message: `tcpdump: ${message}\n` });

/** A value that only names something (an interface, a link type, a packet type). */
const NAME = /^[A-Za-z0-9_.:@+-]{1,64}$/;

export function planTcpdump(argv: readonly string[]): TcpdumpPlan {
  const counts = new Map<string, number>();
  const values = new Map<string, string>();
  const display: string[] = [];
  const words: string[] = [];
  let precision: string | undefined;
  let countOnly = false;
  let print = false;
  let version = false;

  const option = (flag: string, value: string | undefined): TcpdumpPlan | null => {
    if (UNSUPPORTED[flag]) return fail(UNSUPPORTED[flag]);
    if (flag === 'Z') return null; // dropping privileges is not ours to do here
    if (TAKES_VALUE.has(flag)) {
      if (value === undefined) return { kind: 'delegate', args: [`-${flag}`] }; // tcpdump says what is missing
      values.set(flag, value);
    } else counts.set(flag, (counts.get(flag) ?? 0) + 1);
    if (DISPLAY.has(flag)) display.push(`-${flag}`);
    return null;
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = LONG[name];
      if (!spec) return { kind: 'delegate', args: [`--${name}`] };
      let value: string | undefined;
      if (spec.value) value = eq < 0 ? argv[++i] : a.slice(eq + 1);
      else if (eq >= 0) return { kind: 'delegate', args: [`--${name}=`] };
      if (spec.short) {
        const r = option(spec.short, value);
        if (r) return r;
        continue;
      }
      if (name === 'time-stamp-precision') {
        if (value !== 'micro' && value !== 'nano') return { kind: 'delegate', args: [`--time-stamp-precision=${value ?? ''}`] };
        precision = value;
      } else if (name === 'micro' || name === 'nano') precision = name;
      else if (name === 'count') countOnly = true;
      else if (name === 'print') print = true;
      else if (name === 'version') version = true;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j]!;
        if (!SHORT.has(f)) return { kind: 'delegate', args: [`-${f}`] };
        if (TAKES_VALUE.has(f)) {
          const rest = a.slice(j + 1);
          const r = option(f, rest !== '' ? rest : argv[++i]);
          if (r) return r;
          break;
        }
        const r = option(f, undefined);
        if (r) return r;
      }
      continue;
    }
    words.push(a);
  }

  if (counts.has('h')) return { kind: 'delegate', args: ['-h'] };
  if (version) return { kind: 'delegate', args: ['--version'] };

  // Values checked the way tcpdump checks them; a bad one gets tcpdump's own message.
  const count = values.get('c');
  if (count !== undefined && !/^[1-9]\d{0,9}$/.test(count)) return { kind: 'delegate', args: ['-c', count] };
  const snap = values.get('s');
  if (snap !== undefined && !/^\d{1,9}$/.test(snap)) return { kind: 'delegate', args: ['-s', snap] };
  const buffer = values.get('B');
  if (buffer !== undefined && !/^[1-9]\d{0,9}$/.test(buffer)) return { kind: 'delegate', args: ['-B', buffer] };
  const type = values.get('T');
  if (type !== undefined && !NAME.test(type)) return { kind: 'delegate', args: ['-T', type] };
  const device = values.get('i');
  if (device !== undefined && !NAME.test(device)) return fail(`${device}: No such device exists`);
  const linkType = values.get('y');
  if (linkType !== undefined && !NAME.test(linkType)) return fail(`invalid data link type ${linkType}`);
  const secret = values.get('M');

  const shown = [
    ...display,
    ...(type !== undefined ? ['-T', type] : []),
    ...(secret !== undefined ? ['-M', secret] : []),
    ...(precision ? [`--time-stamp-precision=${precision}`] : []),
    ...(countOnly ? ['--count'] : []),
  ];
  const filter = words.join(' ').replace(/\s+/g, ' ').trim();

  if (counts.has('D')) return { kind: 'list', dumpcap: ['-D'] };
  if (counts.has('L')) return { kind: 'list', dumpcap: ['-L', ...(device ? ['-i', device] : [])] };

  const readFile = values.get('r');
  const writeFile = values.get('w');
  if (readFile !== undefined) {
    if (writeFile !== undefined) return fail('-r with -w (copying a capture) is not supported here: use cp, or capture again with -w');
    return {
      kind: 'read',
      file: readFile,
      tcpdump: [...shown, ...(count ? ['-c', count] : []), ...(filter ? ['--', filter] : [])],
    };
  }
  const dumpcap = [
    '-q',
    ...(count ? ['-c', count] : []),
    ...(snap !== undefined ? ['-s', snap === '0' ? '262144' : snap] : []),
    ...(counts.has('p') ? ['-p'] : []),
    ...(counts.has('I') ? ['-I'] : []),
    ...(buffer ? ['-B', String(Math.max(1, Math.ceil(Number(buffer) / 1024)))] : []),
    ...(linkType ? ['-y', linkType] : []),
    ...(filter ? ['-f', filter] : []),
    '-P',
    '-w',
    '-',
  ];
  const printing = writeFile === undefined || print;
  return {
    kind: 'capture',
    ...(device !== undefined ? { device } : {}),
    dumpcap,
    ...(writeFile !== undefined ? { writeFile } : {}),
    print: printing,
    tcpdump: printing ? shown : ['-q'],
    verbose: counts.has('v'),
  };
}

/** Quote one word for a POSIX shell. */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The plan as the shim reads it: shell variable assignments and dumpcap's arguments (eval'd by the shim). */
export function shimPlan(plan: TcpdumpPlan): string {
  const v = (name: string, value: string) => `${name}=${shQuote(value)}`;
  switch (plan.kind) {
    case 'capture':
      return [
        v('mode', 'capture'),
        v('dev', plan.device ?? ''),
        v('wfile', plan.writeFile ?? ''),
        `set -- ${[...(plan.device !== undefined ? ['-i', plan.device] : []), ...plan.dumpcap].map(shQuote).join(' ')}`,
      ].join('\n');
    case 'read':
      return [v('mode', 'read'), v('rfile', plan.file)].join('\n');
    case 'list':
      return [v('mode', 'list'), `set -- ${plan.dumpcap.map(shQuote).join(' ')}`].join('\n');
    default:
      return v('mode', 'none');
  }
}

/** The real tcpdump's argv (after its path) for a plan that prints packets read from stdin. */
export function renderArgv(plan: Extract<TcpdumpPlan, { kind: 'capture' | 'read' }>): string[] {
  return ['-r', '-', '-l', ...plan.tcpdump];
}
