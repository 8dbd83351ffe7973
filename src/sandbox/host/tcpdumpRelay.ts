import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { Socket } from 'node:net';
import { execa, execaSync, type ResultPromise } from 'execa';
import { basename, dirname, join } from 'node:path';
import { planTcpdump, renderArgv, shimPlan, type TcpdumpPlan } from './tcpdumpArgs.js';
import { dumpcapReport, stderrRewriter } from './tcpdumpText.js';
import { RELAY_CTL } from './tcpdumpShim.js';
import { findExecutable } from '../probe.js';

// The tutor's side of the host sandbox's tcpdump (see tcpdumpShim.ts for the other side). For
// each call it reads the command line, answers with a plan, and runs the real tcpdump on the
// capture the shim sends, confined: as the learner's uid, under bubblewrap with a read-only
// root, no network and no new privileges, with only `-r -`, display flags, a count and a filter.
//
// The request files live in a directory the sandbox can write, so they are untrusted: only
// names of our own making directly in that directory are opened, never through a symlink, and
// only as the kind of file expected (FIFOs for the streams, a small regular file for the rest).

const ID = /^td-[A-Za-z0-9]{4,16}$/;
const MAX_ARGV_BYTES = 64 * 1024;
const OPEN_TIMEOUT_MS = 3000;
/** At most this many tcpdumps at once per sandbox; more calls are refused. */
const MAX_CALLS = 8;

export interface TcpdumpRelayOptions {
  /** The sandbox's host directory (its /run/ipip-tutor/host). */
  hostDir: string;
  /** Switches to the learner's uid when the tutor runs as root (resolveSandboxUser). */
  dropPrefix: readonly string[];
}

export interface TcpdumpRelay {
  close(): void;
}

/** How the real tcpdump is run: as the learner, with nothing it could write to and no network. */
export function confinedArgv(dropPrefix: readonly string[], bwrap: string, tcpdump: string, args: readonly string[]): string[] {
  return [
    ...dropPrefix,
    bwrap,
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--clearenv',
    // found through PATH, so that its messages begin with "tcpdump:" (bwrap 0.8 has no --argv0)
    '--setenv',
    'PATH',
    `${dirname(tcpdump)}:/usr/sbin:/usr/bin:/sbin:/bin`,
    ...(process.env.TZ ? ['--setenv', 'TZ', process.env.TZ] : []),
    '--',
    basename(tcpdump),
    ...args,
  ];
}

function openChecked(path: string, flags: number, kind: 'fifo' | 'file'): number {
  const fd = openSync(path, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const st = fstatSync(fd);
  if (kind === 'fifo' ? !st.isFIFO() : !st.isFile()) {
    closeSync(fd);
    throw new Error(`${path} is not a ${kind}`);
  }
  return fd;
}

/** A small regular file of the request (the command line, the interface, dumpcap's messages). */
function readSmall(path: string, max: number): string | null {
  let fd: number;
  try {
    fd = openChecked(path, constants.O_RDONLY, 'file');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(max);
    let n = 0;
    for (let r = 1; r > 0 && n < max; n += r) r = readSync(fd, buf, n, max - n, null);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Open one of the request's FIFOs as a socket. A write end waits (briefly) for the shim's
 * reader; a read end never blocks (the shim holds the pipe open before it calls).
 */
async function openFifo(path: string, dir: 'read' | 'write'): Promise<Socket> {
  const flags = dir === 'read' ? constants.O_RDONLY : constants.O_WRONLY;
  for (const started = Date.now(); ; await sleep(5)) {
    try {
      const fd = openChecked(path, flags, 'fifo');
      return new Socket({ fd, readable: dir === 'read', writable: dir === 'write' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO' || Date.now() - started > OPEN_TIMEOUT_MS) throw e;
    }
  }
}

function endSocket(s: Socket | undefined, text?: string): Promise<void> {
  return new Promise((resolve) => {
    if (!s || s.destroyed) return resolve();
    s.end(text ?? '', () => resolve());
    s.once('error', () => resolve());
  });
}

export async function startTcpdumpRelay(o: TcpdumpRelayOptions): Promise<TcpdumpRelay> {
  const ctl = join(o.hostDir, RELAY_CTL);
  // Made as the learner's uid, like everything else in the host directory.
  const [mk, ...mkArgs] = [...o.dropPrefix, 'mkfifo', '-m', '600', ctl];
  if (execaSync(mk!, mkArgs, { stdio: 'ignore', reject: false }).exitCode !== 0) throw new Error(`could not make ${ctl}`);
  const [tcpdump, bwrap] = await Promise.all([findExecutable('tcpdump'), findExecutable('bwrap')]);
  const missing = !tcpdump
    ? 'tcpdump: the real tcpdump is not installed on this machine (the sandbox only captures; tcpdump prints).\n  Install it: sudo apt-get install tcpdump   (or run the tutor with --backend uml)\n'
    : !bwrap
      ? 'tcpdump: bubblewrap is not installed, and the tutor runs tcpdump only inside it.\n  Install it: sudo apt-get install bubblewrap\n'
      : null;

  const children = new Set<ResultPromise>();
  const sockets = new Set<Socket>();
  let calls = 0;
  let closed = false;

  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {}); // a shim that went away: its call ends below
    return s;
  };

  /** The confined tcpdump, and its exit code once it has exited and its output ended. */
  const runTcpdump = (args: readonly string[]): { child: ResultPromise; done: Promise<number> } => {
    const [cmd, ...rest] = confinedArgv(o.dropPrefix, bwrap!, tcpdump!, args);
    const child = execa(cmd!, rest, { stdio: ['pipe', 'pipe', 'pipe'], buffer: false, reject: false, stripFinalNewline: false });
    children.add(child);
    child.stdin!.on('error', () => {});
    const done = new Promise<number>((resolve) => {
      child.on('close', (code) => {
        children.delete(child);
        resolve(code ?? 1);
      });
      child.on('error', () => resolve(1));
    });
    return { child, done };
  };

  async function serve(id: string): Promise<void> {
    const base = join(o.hostDir, id);
    const text = readSmall(base, MAX_ARGV_BYTES);
    if (text === null) return;
    const argv = text === '' ? [] : text.replace(/\0$/, '').split('\0');
    const streams: Socket[] = [];
    try {
      for (const n of ['out', 'err', 'st']) streams.push(track(await openFifo(`${base}.${n}`, 'write')));
      const [out, err, st] = streams as [Socket, Socket, Socket];
      const plan: TcpdumpPlan = missing ? { kind: 'fail', message: missing } : planTcpdump(argv);
      const answer = async (p: TcpdumpPlan) => endSocket(track(await openFifo(`${base}.plan`, 'write')), `${shimPlan(p)}\n`);
      switch (plan.kind) {
        case 'fail':
          await endSocket(err, plan.message);
          await endSocket(st, '1');
          await answer(plan);
          return;
        case 'delegate': {
          const { child, done } = runTcpdump(plan.args);
          child.stdin!.end();
          child.stdout!.pipe(out);
          child.stderr!.pipe(err);
          const code = await done;
          await endSocket(st, String(code));
          await answer(plan);
          return;
        }
        case 'list':
          await Promise.all([endSocket(out), endSocket(err), endSocket(st)]);
          await answer(plan);
          return;
        default:
          await answer(plan);
          await relayCapture(base, plan, out, err, st);
      }
    } catch {
      // the shim went away (Ctrl-C, a timeout): nothing is left to tell
    } finally {
      for (const s of streams) if (!s.destroyed) s.destroy();
    }
  }

  async function relayCapture(
    base: string,
    plan: Extract<TcpdumpPlan, { kind: 'capture' | 'read' }>,
    out: Socket,
    err: Socket,
    st: Socket,
  ): Promise<void> {
    const pcap = track(await openFifo(`${base}.pcap`, 'read'));
    let child: ResultPromise | undefined;
    let done: Promise<number> | undefined;
    let broken = false;
    // the interface the shim picked when none was given (written before dumpcap started)
    const device = () => readSmall(`${base}.dev`, 256) ?? '';
    await new Promise<void>((resolve) => {
      pcap.on('data', (chunk: Buffer) => {
        if (!child) {
          ({ child, done } = runTcpdump(renderArgv(plan)));
          if (plan.kind === 'read' || plan.print) child.stdout!.pipe(out, { end: false });
          else child.stdout!.resume();
          const rewrite = stderrRewriter(plan, device);
          child.stderr!.setEncoding('utf8');
          child.stderr!.on('data', (s: string) => err.write(rewrite.push(s)));
          child.stderr!.on('end', () => err.write(rewrite.end()));
          // the real tcpdump stopped early (-c on a file, a bad filter): stop reading
          child.on('close', () => pcap.destroy());
        }
        if (!child.stdin!.write(chunk)) {
          pcap.pause();
          child.stdin!.once('drain', () => pcap.resume());
        }
      });
      pcap.on('end', resolve);
      pcap.on('close', resolve);
      // The learner's pipe closed (`| head`): tcpdump would die of SIGPIPE, silently.
      out.on('error', () => {
        broken = true;
        child?.kill('SIGKILL');
        pcap.destroy();
      });
    });
    let code = 0;
    if (child) {
      child.stdin!.end();
      code = await done!;
    }
    if (broken) code = 141;
    else if (plan.kind === 'capture') {
      const report = dumpcapReport(readSmall(`${base}.dc`, 64 * 1024) ?? '', readSmall(`${base}.int`, 1) !== null);
      if (report.text) err.write(report.text);
      if (report.code !== 0) code = report.code;
    } else if (!child) code = 1; // nothing to read: the shim said why
    await Promise.all([endSocket(out), endSocket(err)]);
    await endSocket(st, String(code));
  }

  // Open read-write so the control FIFO never reports an end while no shim is writing to it.
  const ctlFd = openChecked(ctl, constants.O_RDWR, 'fifo');
  const control = new Socket({ fd: ctlFd, readable: true, writable: false });
  control.unref();
  let pending = '';
  control.on('data', (d: Buffer) => {
    pending += d.toString('utf8');
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const id = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (closed || !ID.test(id) || calls >= MAX_CALLS) continue;
      calls++;
      void serve(id).finally(() => calls--);
    }
    if (pending.length > 4096) pending = '';
  });
  control.on('error', () => {});

  return {
    close() {
      closed = true;
      control.destroy();
      for (const s of sockets) s.destroy();
      for (const c of children) c.kill('SIGKILL');
    },
  };
}
