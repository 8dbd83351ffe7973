// tcpdump for the rootless host sandbox. Debian's tcpdump cannot run inside a user namespace (it
// always drops privileges and initgroups() is refused there), but dumpcap captures fine. The shim
// installed as `tcpdump` on the sandbox PATH uses the real tcpdump when it works (UML guest) and
// otherwise runs tcpdumpLite: dumpcap captures, our decoder prints tcpdump-style lines.
//
// Everything here is pure: the argv translation and the shim's text.

export interface TcpdumpOptions {
  interface?: string;
  count?: number;
  verbose: number;
  ether: boolean;
  /** -w FILE ('-' is stdout). */
  writeFile?: string;
  /** -r FILE ('-' is stdin). */
  readFile?: string;
  lineBuffered: boolean;
  snaplen?: number;
  noPromisc: boolean;
  /** -t: no timestamps. */
  noTime: boolean;
  listInterfaces: boolean;
  linkType?: string;
  /** The capture filter (the remaining words, joined by spaces). */
  filter?: string;
  help: boolean;
  version: boolean;
}

export interface TcpdumpPlan {
  mode: 'capture' | 'read' | 'list' | 'help' | 'version';
  options: TcpdumpOptions;
  /** dumpcap's argv (without the program name) for capture and list modes. */
  dumpcapArgs: string[];
  /** Options accepted but not supported here, in tcpdump's words. */
  warnings: string[];
  /** Set when the command line cannot be run at all. */
  error?: string;
}

/** Options that take a value (short form). */
const WITH_ARG = new Set(['i', 'c', 'w', 'r', 's', 'y', 'Z', 'F', 'B', 'C', 'G', 'W', 'E', 'j', 'M', 'T', 'Q', 'z', 'V']);
/** Flags that only change tcpdump's own output format and are meaningless (or default) here. */
const IGNORED_FLAGS = new Set(['n', 'N', 'l', 'U', 'q', 'S', 'K', 'O', 'P', 'I', 'x', 'X', 'A', 'H', 'f', 'u', 'b', '#']);

/** Translate tcpdump's command line into a plan (pure; no I/O). */
export function translateTcpdumpArgs(argv: readonly string[]): TcpdumpPlan {
  const o: TcpdumpOptions = {
    verbose: 0,
    ether: false,
    lineBuffered: false,
    noPromisc: false,
    noTime: false,
    listInterfaces: false,
    help: false,
    version: false,
  };
  const warnings: string[] = [];
  const words: string[] = [];
  let error: string | undefined;

  const setOpt = (flag: string, value: string | undefined): void => {
    if (value === undefined) {
      error = `option requires an argument -- '${flag}'`;
      return;
    }
    switch (flag) {
      case 'i':
        o.interface = value;
        break;
      case 'c': {
        const n = Number(value);
        if (!Number.isInteger(n) || n <= 0) error = `invalid packet count ${value}`;
        else o.count = n;
        break;
      }
      case 'w':
        o.writeFile = value;
        break;
      case 'r':
        o.readFile = value;
        break;
      case 's': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0) error = `invalid snaplen ${value}`;
        else o.snaplen = n === 0 ? 262144 : n;
        break;
      }
      case 'y':
        o.linkType = value;
        break;
      case 'Z':
        break; // privileges are not ours to drop here
      default:
        warnings.push(`-${flag} ${value} is not supported by this tcpdump (dumpcap based); ignored`);
    }
  };

  for (let i = 0; i < argv.length && !error; i++) {
    const a = argv[i]!;
    if (a === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const takeValue = () => inline ?? argv[++i];
      switch (name) {
        case 'interface':
          setOpt('i', takeValue());
          break;
        case 'snapshot-length':
          setOpt('s', takeValue());
          break;
        case 'linktype':
          setOpt('y', takeValue());
          break;
        case 'relinquish-privileges':
          takeValue();
          break;
        case 'list-interfaces':
          o.listInterfaces = true;
          break;
        case 'no-promiscuous-mode':
          o.noPromisc = true;
          break;
        case 'immediate-mode':
        case 'print':
        case 'no-optimize':
          break;
        case 'help':
          o.help = true;
          break;
        case 'version':
          o.version = true;
          break;
        case 'time-stamp-precision':
        case 'time-stamp-type':
        case 'direction':
          takeValue();
          warnings.push(`--${name} is not supported by this tcpdump (dumpcap based); ignored`);
          break;
        default:
          error = `unrecognized option '--${name}'`;
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // Bundled short flags: -nnvvi v1-P, -c1, -iv1-P
      for (let j = 1; j < a.length && !error; j++) {
        const f = a[j]!;
        if (WITH_ARG.has(f)) {
          const rest = a.slice(j + 1);
          setOpt(f, rest !== '' ? rest : argv[++i]);
          break;
        }
        if (f === 'v') o.verbose++;
        else if (f === 'e') o.ether = true;
        else if (f === 'l') o.lineBuffered = true;
        else if (f === 'p') o.noPromisc = true;
        else if (f === 't') o.noTime = true;
        else if (f === 'D') o.listInterfaces = true;
        else if (f === 'h') o.help = true;
        else if (IGNORED_FLAGS.has(f)) {
          if ('xXA'.includes(f)) warnings.push(`-${f} (packet contents) is not supported by this tcpdump (dumpcap based); ignored`);
        } else error = `invalid option -- '${f}'`;
      }
      continue;
    }
    words.push(a);
  }
  if (words.length) o.filter = words.join(' ');

  const dumpcapArgs: string[] = [];
  let mode: TcpdumpPlan['mode'] = 'capture';
  if (o.help) mode = 'help';
  else if (o.version) mode = 'version';
  else if (o.listInterfaces) {
    mode = 'list';
    dumpcapArgs.push('-D');
  } else if (o.readFile !== undefined) {
    mode = 'read';
    if (o.filter) warnings.push('a filter expression is not applied when reading a file here (no libpcap); all packets are shown');
  } else {
    dumpcapArgs.push('-q');
    if (o.interface) dumpcapArgs.push('-i', o.interface);
    if (o.count !== undefined) dumpcapArgs.push('-c', String(o.count));
    if (o.snaplen !== undefined) dumpcapArgs.push('-s', String(o.snaplen));
    if (o.noPromisc) dumpcapArgs.push('-p');
    if (o.linkType) dumpcapArgs.push('-y', o.linkType);
    if (o.filter) dumpcapArgs.push('-f', o.filter);
    // Classic pcap on stdout: tcpdumpLite prints it, or copies it to the -w file untouched.
    dumpcapArgs.push('-P', '-w', '-');
  }
  return { mode, options: o, dumpcapArgs, warnings, ...(error !== undefined ? { error } : {}) };
}

/** Quote one word for a POSIX shell. */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The dumpcap command line a plan stands for (what the learner can type themselves). */
export function dumpcapCommandLine(plan: TcpdumpPlan, writeFile = plan.options.writeFile): string {
  const args = plan.dumpcapArgs.slice();
  const w = args.lastIndexOf('-w');
  if (writeFile !== undefined && w >= 0) args[w + 1] = writeFile;
  return ['dumpcap', ...args].map(shQuote).join(' ');
}

/**
 * The `tcpdump` shim for a sandbox's PATH. It runs the real tcpdump when that works (probed with a
 * harmless `-r` of an empty capture, which fails in a user namespace like everything else does),
 * otherwise tcpdumpLite (dumpcap + our decoder), otherwise says what to install.
 */
export function tcpdumpShim(nodePath: string, entryPath: string): string {
  return `#!/bin/sh
# ipip-tutor: tcpdump for this sandbox (generated).
# Debian's tcpdump drops privileges at start; inside a user namespace that is refused, so it cannot
# run at all. dumpcap (package wireshark-common) captures fine: use it through tcpdumpLite then.
self_dir=$(cd "$(dirname "$0")" 2>/dev/null && pwd)
real=
IFS_SAVE=$IFS; IFS=:
for d in $PATH; do
  [ -n "$d" ] && [ "$d" != "$self_dir" ] && [ -x "$d/tcpdump" ] && { real="$d/tcpdump"; break; }
done
IFS=$IFS_SAVE
if [ -n "$real" ]; then
  probe=$(mktemp 2>/dev/null || echo /tmp/ipip-tutor-tcpdump-probe.$$)
  printf '\\324\\303\\262\\241\\002\\000\\004\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\004\\000\\001\\000\\000\\000' > "$probe" 2>/dev/null
  if "$real" -r "$probe" >/dev/null 2>&1; then
    rm -f "$probe"
    exec "$real" "$@"
  fi
  rm -f "$probe"
fi
if ! command -v dumpcap >/dev/null 2>&1; then
  echo "tcpdump: cannot capture in this sandbox." >&2
  echo "  The real tcpdump cannot run inside a rootless user namespace (it drops privileges and the" >&2
  echo "  kernel refuses), and dumpcap, which can, is not installed." >&2
  echo "  Install it on the host: sudo apt-get install tshark   (or: wireshark-common, which has dumpcap)" >&2
  echo "  Or switch ipip-tutor to its uml sandbox backend, which has a real tcpdump." >&2
  exit 127
fi
exec ${shQuote(nodePath)} ${shQuote(entryPath)} "$@"
`;
}
