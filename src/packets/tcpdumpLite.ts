#!/usr/bin/env node
// tcpdumpLite: a tcpdump stand-in for sandboxes where tcpdump cannot run. Reads a capture file
// (-r FILE, '-' for stdin) or captures through dumpcap, and prints tcpdump 4.99-style lines with
// our decoder. Run as compiled JS: `node dist/packets/tcpdumpLite.js [tcpdump options]`.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { decodePacket } from './decode.js';
import { CaptureStreamParser, linkTypeName, parseCapture } from './pcap.js';
import { tcpdumpLine, tcpdumpReadingLine, type TcpdumpStyle } from './render.js';
import { translateTcpdumpArgs, type TcpdumpPlan } from '../sandbox/host/tcpdumpShim.js';

export interface LiteIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

const USAGE = `Usage: tcpdump [-elnptv] [-c count] [-i interface] [-r file] [-s snaplen] [-w file] [-y datalinktype] [expression]
(ipip-tutor's tcpdump: dumpcap captures, a small decoder prints; IPv4, IPIP, GRE, ICMP, TCP/UDP ports)`;

/** Map ifindex -> name in the current network namespace (for Linux cooked v2 captures on `any`). */
function interfaceNames(): Map<number, string> {
  const m = new Map<number, string>();
  try {
    const out = execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 });
    for (const l of JSON.parse(out) as { ifindex: number; ifname: string }[]) m.set(l.ifindex, l.ifname);
  } catch {
    // names stay unknown ('?'), as tcpdump prints them when it cannot resolve an index
  }
  return m;
}

function styleOf(plan: TcpdumpPlan): TcpdumpStyle {
  return { verbose: plan.options.verbose, ether: plan.options.ether, time: plan.options.noTime ? 'none' : 'local' };
}

/** -r: print a whole file. Returns the exit code. */
export function readMode(
  plan: TcpdumpPlan,
  io: LiteIo,
  readInput: (f: string) => Uint8Array = (f) => new Uint8Array(readFileSync(f === '-' ? 0 : f)),
): number {
  const file = plan.options.readFile!;
  let bytes: Uint8Array;
  try {
    bytes = readInput(file);
  } catch (e) {
    io.err(`tcpdump: ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}\n`);
    return 1;
  }
  const r = parseCapture(bytes);
  if (!r.ok) {
    io.err(`tcpdump: ${file}: ${r.error}\n`);
    return 1;
  }
  io.err(`${tcpdumpReadingLine(r.file, file)}\n`);
  const style = styleOf(plan);
  if (r.file.linkType === 276) {
    io.err('Warning: interface names might be incorrect\n');
    style.ifNames = interfaceNames();
  }
  const max = plan.options.count ?? Infinity;
  for (const p of r.file.packets.slice(0, max)) io.out(`${tcpdumpLine(decodePacket(p), style)}\n`);
  if (r.file.truncated && r.file.packets.length <= max) {
    io.err(`tcpdump: pcap_loop: ${r.file.truncated}\n`);
    return 1;
  }
  return 0;
}

/** Live capture through dumpcap. Resolves with the exit code. */
export function captureMode(plan: TcpdumpPlan, io: LiteIo, dumpcap = 'dumpcap'): Promise<number> {
  return new Promise((resolve) => {
    const o = plan.options;
    const toFile = o.writeFile;
    let fd: number | undefined;
    if (toFile !== undefined && toFile !== '-') {
      try {
        fd = openSync(toFile, 'w');
      } catch (e) {
        io.err(`tcpdump: ${toFile}: ${(e as Error).message}\n`);
        resolve(1);
        return;
      }
    }
    const child = spawn(dumpcap, plan.dumpcapArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const parser = new CaptureStreamParser();
    const style = styleOf(plan);
    let announced = false;
    let captured = 0;
    let errText = '';
    const forward = (sig: NodeJS.Signals) => () => {
      // The learner's Ctrl-C: let dumpcap finish cleanly, then print the counts like tcpdump.
      if (child.exitCode === null) child.kill(sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', (e) => {
      io.err(`tcpdump: cannot run dumpcap: ${e.message}\n`);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      errText += s;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (toFile === '-') io.out(chunk.toString('latin1'));
      else if (fd !== undefined) writeSync(fd, chunk);
      const pkts = parser.push(new Uint8Array(chunk));
      if (!announced && parser.linkType >= 0) {
        announced = true;
        if (toFile === undefined && o.verbose === 0) io.err('tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n');
        io.err(
          `listening on ${o.interface ?? 'any'}, link-type ${linkTypeName(parser.linkType)}, snapshot length ${parser.snapLen} bytes\n`,
        );
        if (parser.linkType === 276) style.ifNames = interfaceNames();
      }
      for (const p of pkts) {
        captured++;
        if (toFile === undefined) io.out(`${tcpdumpLine(decodePacket(p), style)}\n`);
      }
    });
    child.on('close', (code) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (fd !== undefined) closeSync(fd);
      // dumpcap says "Capturing on ..." and, with -q, little else; anything more is an error to show.
      const stats = /Packets received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(errText);
      const rest = errText
        .split(/\r?\n|\r/)
        .map((l) => l.trim())
        .filter(
          (l) =>
            l.trim() &&
            !/^(dumpcap: )?(Capturing on |File: |Packets captured: |Packets received\/dropped )/.test(l) &&
            !/Running as user "root"/.test(l),
        )
        .map((l) => (l.startsWith('dumpcap: ') ? l : `dumpcap: ${l}`))
        .join('\n');
      if (rest) io.err(`${rest}\n`);
      const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
      if (announced || captured > 0)
        io.err(
          `\n${plural(captured, 'packet')} captured\n${plural(stats ? Number(stats[1]) : captured, 'packet')} received by filter\n${plural(stats ? Number(stats[2]) : 0, 'packet')} dropped by kernel\n`,
        );
      resolve(code === 0 || (code === null && announced) ? 0 : (code ?? 1));
    });
  });
}

export async function main(
  argv: readonly string[],
  io: LiteIo = { out: (s) => process.stdout.write(s, 'latin1'), err: (s) => process.stderr.write(s) },
): Promise<number> {
  const plan = translateTcpdumpArgs(argv);
  if (plan.error) {
    io.err(`tcpdump: ${plan.error}\n${USAGE}\n`);
    return 1;
  }
  for (const w of plan.warnings) io.err(`tcpdump: ${w}\n`);
  switch (plan.mode) {
    case 'help':
      io.err(`${USAGE}\n`);
      return 0;
    case 'version':
      io.out('tcpdump (ipip-tutor tcpdumpLite, dumpcap based)\n');
      return 0;
    case 'read':
      return readMode(plan, io);
    case 'list':
    case 'capture':
      if (plan.mode === 'list') {
        return new Promise((resolve) => {
          const c = spawn('dumpcap', ['-D'], { stdio: ['ignore', 'inherit', 'inherit'] });
          c.on('error', (e) => {
            io.err(`tcpdump: cannot run dumpcap: ${e.message}\n`);
            resolve(1);
          });
          c.on('close', (code) => resolve(code ?? 1));
        });
      }
      return captureMode(plan, io);
  }
}

// Run when executed directly (node dist/packets/tcpdumpLite.js ...), not when imported by tests.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tcpdump: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
