import { shQuote } from '../sandbox/host/tcpdumpArgs.js';
import { ipv4Layers, type DecodedPacket, type IcmpLayer } from './decode.js';

// One ping captured on a device, in one shell run inside the sandbox (either backend).
const MARK = 'IPIP-TUTOR-FLOW';

/**
 * A bash script that starts a capture (tcpdump if it can run here, else dumpcap), waits until it
 * is really listening, runs the ping, waits for the capture to end (or stops it), and prints the
 * capture file base64-encoded between markers. Works on both backends.
 */
export function captureScript(o: { dev: string; devNs?: string; count: number; filter: string; ping: string }): string {
  const pre = o.devNs ? `ip netns exec ${shQuote(o.devNs)} ` : '';
  const f = shQuote(o.filter);
  return `d=$(mktemp -d /tmp/ipip-tutor-flow.XXXXXX) || exit 90
f=$d/flow.pcap; e=$d/cap.err; tool=
listening() { grep -qE 'listening on|Capturing on' "$e" 2>/dev/null; }
start() {
  : > "$e"; "$@" 2>"$e" >/dev/null & cp=$!
  i=0; while [ $i -lt 60 ]; do
    listening && return 0
    kill -0 $cp 2>/dev/null || return 1
    sleep 0.05; i=$((i+1))
  done
  listening
}
if command -v tcpdump >/dev/null 2>&1 && start ${pre}tcpdump -Z root --immediate-mode -U -n -i ${shQuote(o.dev)} -c ${o.count} -w "$f" ${f}; then tool=tcpdump
else
  [ -n "$cp" ] && kill $cp 2>/dev/null; wait $cp 2>/dev/null; te=$(cat "$e" 2>/dev/null)
  if command -v dumpcap >/dev/null 2>&1 && start ${pre}dumpcap -q -i ${shQuote(o.dev)} -c ${o.count} -f ${f} -P -w "$f"; then tool=dumpcap; sleep 0.2
  else echo "${MARK}-ERROR"; echo "$te"; cat "$e" 2>/dev/null; kill $cp 2>/dev/null; rm -rf "$d"; exit 91; fi
fi
echo "${MARK}-TOOL $tool"
echo "${MARK}-PING"
${o.ping} 2>&1; echo "${MARK}-PINGRC $?"
i=0; while [ $i -lt 30 ] && kill -0 $cp 2>/dev/null; do sleep 0.05; i=$((i+1)); done
kill -INT $cp 2>/dev/null; wait $cp 2>/dev/null
echo "${MARK}-PCAP"
base64 "$f" 2>/dev/null
echo "${MARK}-END"
rm -rf "$d"
`;
}

export interface ParsedCaptureRun {
  tool?: 'tcpdump' | 'dumpcap';
  error?: string;
  pingRc: number | null;
  pingOutput: string;
  pcap?: Uint8Array;
}

export function parseCaptureRun(stdout: string): ParsedCaptureRun {
  const lines = stdout.split('\n');
  const at = (m: string) => lines.findIndex((l) => l.startsWith(m));
  const e = at(`${MARK}-ERROR`);
  if (e >= 0)
    return {
      error:
        lines
          .slice(e + 1)
          .join('\n')
          .trim() || 'capture did not start',
      pingRc: null,
      pingOutput: '',
    };
  const tool = lines[at(`${MARK}-TOOL`)]?.split(' ')[1];
  const p = at(`${MARK}-PING`);
  const rcLine = at(`${MARK}-PINGRC`);
  const pc = at(`${MARK}-PCAP`);
  const end = at(`${MARK}-END`);
  const pingRc = rcLine >= 0 ? Number(lines[rcLine]!.split(' ')[1]) : null;
  const pingOutput = p >= 0 && rcLine > p ? lines.slice(p + 1, rcLine).join('\n') : '';
  const b64 = pc >= 0 && end > pc ? lines.slice(pc + 1, end).join('') : '';
  return {
    ...(tool === 'tcpdump' || tool === 'dumpcap' ? { tool } : {}),
    pingRc,
    pingOutput,
    ...(b64 ? { pcap: new Uint8Array(Buffer.from(b64, 'base64')) } : {}),
    ...(pc < 0 ? { error: 'capture output missing' } : {}),
  };
}

function icmpOf(p: DecodedPacket): IcmpLayer | undefined {
  return p.layers.find((l): l is IcmpLayer => l.kind === 'icmp');
}

/** Which captured packet is the ping's request, and which its reply. */
export function pickRequestReply(packets: DecodedPacket[], to: string): { request?: DecodedPacket; reply?: DecodedPacket } {
  const innermost = (p: DecodedPacket) => ipv4Layers(p.layers).at(-1)?.fields;
  const request = packets.find((p) => icmpOf(p)?.fields.type === 8 && innermost(p)?.dst === to);
  const id = request ? icmpOf(request)?.fields.id : undefined;
  const reply = packets.find(
    (p) => icmpOf(p)?.fields.type === 0 && innermost(p)?.src === to && (id === undefined || icmpOf(p)?.fields.id === id),
  );
  return { ...(request ? { request } : {}), ...(reply ? { reply } : {}) };
}
