// `ipip-tutor doctor`: checks each requirement of the course, says what it means for the course
// and how to fix it; `--fix` installs missing packages and loads ipip when run as root.
// The report is a pure function of probe results (doctorReport), so it is unit-tested without a machine.

import { spawn } from 'node:child_process';
import os from 'node:os';

import {
  devShmProbe,
  findExecutable,
  hostIpipModule,
  hostIpipProbe,
  packageManager,
  umlAvailable,
  userNamespacesProbe,
  type IpipModuleState,
  type PackageManager,
} from '../../sandbox/probe.js';
import { umlInstallCommand, umlMissingFix } from '../../sandbox/select.js';
import type { BackendName } from '../../sandbox/types.js';

export type Tool = 'ip' | 'ping' | 'route' | 'tcpdump';

export interface DoctorFacts {
  platform: string;
  kernelRelease: string;
  isRoot: boolean;
  packageManager: PackageManager;
  tools: Record<Tool, string | null>;
  userns: { ok: boolean; detail: string };
  hostIpip: { ok: boolean; detail: string };
  ipipModule: IpipModuleState;
  uml: { ok: boolean; detail: string };
  devShm: { ok: boolean; detail: string };
}

export interface DoctorCheck {
  id: string;
  title: string;
  ok: boolean;
  /** required: the course cannot run without it; backend: needed by one backend only; optional: one lesson needs it. */
  level: 'required' | 'backend' | 'optional';
  detail: string;
  /** What the result means for the course. */
  meaning: string;
  fix?: string;
  /** Packages `--fix` installs for this check. */
  packages?: string[];
  /** `--fix` loads the host's ipip module for this check. */
  loadIpip?: boolean;
}

export interface DoctorReport {
  ok: boolean;
  backend: BackendName | null;
  summary: string;
  checks: DoctorCheck[];
}

const PACKAGES: Record<'apt-get' | 'dnf', Record<Tool | 'uml', string | null>> = {
  'apt-get': { ip: 'iproute2', ping: 'iputils-ping', route: 'net-tools', tcpdump: 'tcpdump', uml: 'user-mode-linux' },
  dnf: { ip: 'iproute', ping: 'iputils', route: 'net-tools', tcpdump: 'tcpdump', uml: null },
};

function pkg(pm: PackageManager, what: Tool | 'uml'): string | null {
  return pm ? PACKAGES[pm][what] : null;
}

function installFix(pm: PackageManager, what: Tool | 'uml'): { fix: string; packages?: string[] } {
  const p = pkg(pm, what);
  if (!p || !pm) return { fix: `Install the package that provides \`${what}\` with your distribution's package manager.` };
  return { fix: `sudo ${pm} install ${p}`, packages: [p] };
}

export function doctorReport(f: DoctorFacts): DoctorReport {
  const pm = f.packageManager;
  const checks: DoctorCheck[] = [];
  const linux = f.platform === 'linux';
  checks.push({
    id: 'linux',
    title: 'Linux',
    ok: linux,
    level: 'required',
    detail: linux ? `kernel ${f.kernelRelease}` : `platform ${f.platform}`,
    meaning: linux
      ? 'The course drives real Linux networking.'
      : 'The course drives Linux kernel networking; it cannot run on this system.',
    ...(linux ? {} : { fix: 'Use a Linux machine or a Linux VM.' }),
  });
  const tool = (t: Tool, title: string, level: DoctorCheck['level'], meaning: string) => {
    const found = f.tools[t];
    checks.push({
      id: t,
      title,
      ok: !!found,
      level,
      detail: found ?? `\`${t}\` not found`,
      meaning,
      ...(found ? {} : installFix(pm, t)),
    });
  };
  tool(
    'ip',
    'iproute2 (ip)',
    'required',
    'Every lesson uses `ip` (namespaces, links, addresses, tunnels), and the checks read its JSON output.',
  );
  tool('ping', 'ping (iputils)', 'required', 'The lessons prove connectivity with ping.');
  tool('route', 'net-tools (route)', 'required', 'The article adds and shows routes with `route add -net … gw …` and `route -n`.');
  tool('tcpdump', 'tcpdump', 'optional', 'The packet-capture lesson watches the encapsulated packets with tcpdump.');

  checks.push({
    id: 'userns',
    title: 'user namespaces',
    ok: f.userns.ok,
    level: 'backend',
    detail: f.userns.detail,
    meaning: f.userns.ok
      ? 'The host backend can build a rootless sandbox on this kernel.'
      : 'The host backend cannot build its rootless sandbox; only User-Mode Linux can run the course.',
    ...(f.userns.ok
      ? {}
      : {
          fix: /apparmor_restrict/.test(f.userns.detail)
            ? 'sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0 (or use User-Mode Linux)'
            : 'Allow unprivileged user namespaces (sysctl user.max_user_namespaces > 0), or use User-Mode Linux.',
        }),
  });

  const moduleOk = f.ipipModule === 'loaded' || f.ipipModule === 'builtin';
  checks.push({
    id: 'ipip',
    title: 'ipip module (host kernel)',
    ok: f.hostIpip.ok,
    level: 'backend',
    detail: `module ${f.ipipModule}; ${f.hostIpip.ok ? 'a sandbox can create an ipip tunnel' : `tunnel test: ${f.hostIpip.detail}`}`,
    meaning: f.hostIpip.ok
      ? 'Tunnels work on the host kernel: the fast host backend can run every lesson.'
      : f.ipipModule === 'missing'
        ? 'This kernel has no ipip support; the course needs User-Mode Linux (its own kernel) for the tunnel lessons.'
        : moduleOk
          ? 'The module is there but a sandbox still cannot create a tunnel (see user namespaces); the course needs User-Mode Linux.'
          : 'The ipip module exists but is not loaded, and loading it needs root.',
    ...(f.hostIpip.ok
      ? {}
      : f.ipipModule === 'available'
        ? { fix: 'sudo modprobe ipip', loadIpip: true }
        : f.uml.ok
          ? {}
          : { fix: umlMissingFix(pm) }),
  });

  const umlCmd = umlInstallCommand(pm);
  checks.push({
    id: 'uml',
    title: 'user-mode-linux',
    ok: f.uml.ok,
    level: 'backend',
    detail: f.uml.detail,
    meaning: f.uml.ok
      ? 'The uml backend can boot a real 6.x kernel with the ipip module, even when the host kernel cannot make tunnels.'
      : f.hostIpip.ok
        ? 'Not needed here (the host kernel makes tunnels), but it is the fallback on kernels without ipip.'
        : 'Without it, and without ipip on the host, the tunnel lessons cannot run.',
    ...(f.uml.ok ? {} : umlCmd ? { fix: umlCmd, packages: [pkg(pm, 'uml')!] } : { fix: umlMissingFix(pm) }),
  });

  checks.push({
    id: 'devshm',
    title: '/dev/shm',
    ok: f.devShm.ok,
    level: 'backend',
    detail: f.devShm.detail,
    meaning: f.devShm.ok
      ? 'User-Mode Linux can map its memory there.'
      : 'User-Mode Linux maps its memory in /dev/shm; the uml backend cannot boot.',
    ...(f.devShm.ok ? {} : { fix: 'sudo mount -o remount,exec /dev/shm (or mount a tmpfs on /dev/shm)' }),
  });

  const toolsOk = checks.filter((c) => c.level === 'required').every((c) => c.ok);
  const backend: BackendName | null = f.hostIpip.ok ? 'host' : f.uml.ok && f.devShm.ok ? 'uml' : null;
  const ok = toolsOk && backend !== null;
  const summary = !toolsOk
    ? 'The course cannot run yet: install the missing required tools.'
    : backend === 'host'
      ? 'The course can run with the host backend (the host kernel makes ipip tunnels).'
      : backend === 'uml'
        ? 'The course can run with the uml backend (User-Mode Linux provides a kernel with ipip).'
        : `The tunnel lessons cannot run: the host kernel cannot make ipip tunnels and User-Mode Linux is not usable. ${umlMissingFix(pm)}`;
  return { ok, backend, summary, checks };
}

/** Human-readable lines of a report. */
export function formatDoctor(r: DoctorReport): string[] {
  const lines = ['ipip-tutor doctor'];
  const width = Math.max(...r.checks.map((c) => c.title.length));
  for (const c of r.checks) {
    const mark = c.ok ? 'PASS' : c.level === 'optional' ? 'WARN' : 'FAIL';
    lines.push(`  ${mark}  ${c.title.padEnd(width)}  ${c.detail}`);
    lines.push(`        ${' '.repeat(width)}  ${c.meaning}`);
    if (!c.ok && c.fix) lines.push(`        ${' '.repeat(width)}  fix: ${c.fix}`);
  }
  lines.push('', r.summary);
  return lines;
}

export async function gatherDoctorFacts(): Promise<DoctorFacts> {
  const [ip, ping, route, tcpdump, userns, hostIpip, ipipModule, uml, devShm, pm] = await Promise.all([
    findExecutable('ip'),
    findExecutable('ping'),
    findExecutable('route'),
    findExecutable('tcpdump'),
    userNamespacesProbe(),
    hostIpipProbe(),
    hostIpipModule(),
    umlAvailable(),
    devShmProbe(),
    packageManager(),
  ]);
  return {
    platform: process.platform,
    kernelRelease: os.release(),
    isRoot: process.getuid?.() === 0,
    packageManager: pm,
    tools: { ip, ping, route, tcpdump },
    userns,
    hostIpip,
    ipipModule,
    uml,
    devShm,
  };
}

/** What `--fix` would do for a report: package installs and an ipip load, as argv lists. */
export function fixPlan(r: DoctorReport, pm: PackageManager): string[][] {
  const packages = [...new Set(r.checks.filter((c) => !c.ok && c.packages).flatMap((c) => c.packages!))];
  const plan: string[][] = [];
  if (packages.length && pm === 'apt-get') {
    plan.push(['apt-get', 'update']);
    plan.push(['apt-get', 'install', '-y', ...packages]);
  } else if (packages.length && pm === 'dnf') {
    plan.push(['dnf', 'install', '-y', ...packages]);
  }
  if (r.checks.some((c) => !c.ok && c.loadIpip)) plan.push(['modprobe', 'ipip']);
  return plan;
}

export interface DoctorDeps {
  gather: () => Promise<DoctorFacts>;
  /** Runs one fix command, streaming its output lines; resolves to its exit code. */
  exec: (argv: readonly string[], out: (line: string) => void) => Promise<number>;
}

function execStreaming(argv: readonly string[], out: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const l of parts) out(`    ${l}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      out(`    ${argv[0]}: ${e.message}`);
      resolve(127);
    });
    child.on('close', (code) => {
      if (buf) out(`    ${buf}`);
      resolve(code ?? 1);
    });
  });
}

export async function runDoctor(opts: {
  fix: boolean;
  json?: boolean;
  out: (line: string) => void;
  deps?: Partial<DoctorDeps>;
}): Promise<number> {
  const gather = opts.deps?.gather ?? gatherDoctorFacts;
  const exec = opts.deps?.exec ?? execStreaming;
  let facts = await gather();
  let report = doctorReport(facts);

  if (opts.fix) {
    const plan = fixPlan(report, facts.packageManager);
    const log = (line: string) => {
      if (!opts.json) opts.out(line);
    };
    if (plan.length === 0) {
      log('Nothing to fix automatically.');
    } else if (!facts.isRoot) {
      log('--fix needs root. Run `sudo ipip-tutor doctor --fix`, or these commands:');
      for (const argv of plan) log(`  sudo ${argv.join(' ')}`);
    } else {
      for (const argv of plan) {
        log(`Running: ${argv.join(' ')}`);
        const code = await exec(argv, log);
        if (code !== 0) log(`  (${argv[0]} exited with ${code})`);
      }
      facts = await gather();
      report = doctorReport(facts);
    }
    if (!opts.json) opts.out('');
  }

  if (opts.json) opts.out(JSON.stringify(report, null, 2));
  else for (const line of formatDoctor(report)) opts.out(line);
  return report.ok ? 0 : 1;
}
