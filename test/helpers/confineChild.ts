// Runs typed commands in a fresh sandbox of one backend and prints their results as one JSON
// document: confinement.test.ts starts it as root and, through setpriv, as the ordinary user
// `tester`, so the sandbox is built exactly as a learner's tutor builds it.
//
// usage: node --import tsx test/helpers/confineChild.ts SPEC_JSON
//   SPEC_JSON: { backend: 'host'|'uml', commands: [{ cmd, timeoutMs? }], restart?: boolean }
import { readdirSync, statSync } from 'node:fs';
import { createHostSandbox, type HostSandbox } from '../../src/sandbox/host/hostSandbox.js';
import type { RunResult, Sandbox } from '../../src/sandbox/types.js';

interface Spec {
  backend: 'host' | 'uml';
  commands: { cmd: string; timeoutMs?: number }[];
  /** After the commands: close the sandbox, make a new one and run `echo restarted` there. */
  restart?: boolean;
}

const spec = JSON.parse(process.argv[2] ?? '') as Spec;
const make = async (): Promise<Sandbox> =>
  spec.backend === 'host' ? createHostSandbox() : (await import('../../src/sandbox/uml/umlSandbox.js')).createUmlSandbox();

/** A fork bomb's stderr is long: keep its start and its end. */
const clip = (s: string) => (s.length > 2000 ? `${s.slice(0, 1000)}\n…\n${s.slice(-1000)}` : s);

const results: (Pick<RunResult, 'exitCode' | 'stdout' | 'stderr' | 'timedOut'> & { cmd: string })[] = [];
let sb = await make();
const hostDir = (sb as Partial<HostSandbox>).hostDir ?? null;
try {
  for (const c of spec.commands) {
    const r = await sb.run(c.cmd, { timeoutMs: c.timeoutMs ?? 10_000 });
    results.push({ cmd: c.cmd, exitCode: r.exitCode, stdout: clip(r.stdout), stderr: clip(r.stderr), timedOut: r.timedOut });
  }
  let restarted: string | null = null;
  const hostDirFiles = hostDir ? readdirSync(hostDir).map((n) => ({ name: n, uid: statSync(`${hostDir}/${n}`).uid })) : [];
  if (spec.restart) {
    await sb.close();
    sb = await make();
    restarted = (await sb.run('echo restarted')).stdout;
  }
  process.stdout.write(
    `${JSON.stringify({ uid: process.getuid?.(), hostUid: sb.info.hostUid, hostDir, hostDirFiles, results, restarted })}\n`,
  );
} finally {
  await sb.close();
}
