import type { TcpdumpPlan } from './tcpdumpArgs.js';

// What the learner reads on stderr, in tcpdump's words (pure). The real tcpdump, reading the
// capture from a pipe, says "reading from file -"; a live capture in tcpdump says "listening on"
// instead, and ends with packet counts, which here come from dumpcap's own messages.

const READING = /^reading from file -, (link-type .*), snapshot length (\d+)$/;

/** tcpdump's banner for a live capture (tcpdump.c prints the first line only without -v and -w). */
export function listeningBanner(device: string, linkAndSnap: { link: string; snap: string }, quiet: boolean): string {
  const head = quiet ? 'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n' : 'tcpdump: ';
  return `${head}listening on ${device}, ${linkAndSnap.link}, snapshot length ${linkAndSnap.snap} bytes\n`;
}

/** Rewrites the real tcpdump's stderr line by line as it arrives. */
export function stderrRewriter(plan: Extract<TcpdumpPlan, { kind: 'capture' | 'read' }>, device: () => string) {
  let partial = '';
  const line = (l: string): string => {
    const m = READING.exec(l);
    if (!m) return `${l}\n`;
    if (plan.kind === 'read') return `reading from file ${plan.file}, ${m[1]}, snapshot length ${m[2]}\n`;
    return listeningBanner(plan.device ?? device(), { link: m[1]!, snap: m[2]! }, !plan.verbose && plan.writeFile === undefined);
  };
  return {
    push(chunk: string): string {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      return lines.map(line).join('');
    },
    end(): string {
      const rest = partial;
      partial = '';
      return rest ? line(rest).replace(/\n$/, '') : '';
    },
  };
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * dumpcap's stderr (with -q) as tcpdump would have put it: the counts at the end of a capture,
 * or the reason it could not start. Code 1 when dumpcap failed.
 */
export function dumpcapReport(text: string, interrupted: boolean): { text: string; code: number } {
  const captured = /^Packets captured: (\d+)/m.exec(text);
  const stats = /^Packets received\/dropped on interface .*: (\d+)\/(\d+) \(/m.exec(text);
  if (captured) {
    const n = Number(captured[1]);
    const counts = `${plural(n, 'packet')} captured\n${plural(stats ? Number(stats[1]) : n, 'packet')} received by filter\n${plural(stats ? Number(stats[2]) : 0, 'packet')} dropped by kernel\n`;
    return { text: (interrupted ? '\n' : '') + counts, code: 0 };
  }
  const lines = text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l && !/^(Capturing on |File: |Running as user )/.test(l) && !l.startsWith('See the User'));
  if (lines.length === 0) return { text: '', code: text ? 1 : 0 };
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const noDev = /^dumpcap: There is no device named "(.*)"\.$/.exec(l);
    const badFilter = /isn't a valid capture filter \((.*)\)\.$/.exec(l);
    if (noDev) out.push(`tcpdump: ${noDev[1]}: No such device exists`);
    else if (badFilter) out.push(`tcpdump: ${badFilter[1]}`);
    else if (/^dumpcap: Invalid capture filter /.test(l)) continue;
    else out.push(l.startsWith('(') ? l : `tcpdump: ${l.replace(/^dumpcap: /, '')}`);
  }
  return { text: `${out.join('\n')}\n`, code: 1 };
}
