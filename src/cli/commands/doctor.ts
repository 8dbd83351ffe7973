// `ipip-tutor doctor`: checks each requirement of the course, says what it means for the course
// and how to fix it; `--fix` installs missing packages and loads ipip when run as root.
// The report is a pure function of probe results (doctorReport), so it is unit-tested without a machine.

import { EXIT } from '../../engine/errors.js';
import { execa } from 'execa';
import os from 'node:os';
import stringWidth from 'string-width';

import { td, type DoctorMessageKey } from '../../i18n/doctorMessages.js';
import type { Lang } from '../../i18n/lang.js';
import { installCommand, packageFor, umlInstallCommand, umlMissingFix, boundaryFix, type Requirement } from '../../sandbox/packages.js';
import {
  findExecutable,
  hostIpipModule,
  hostProbe,
  packageManager,
  umlAvailable,
  umlBoundaryProbe,
  userNamespacesProbe,
  type IpipModuleState,
  type PackageManager,
  type Probe,
} from '../../sandbox/probe.js';
import { decideBackend } from '../../sandbox/select.js';
import { SandboxError, type BackendName } from '../../sandbox/types.js';

export type Tool = 'ip' | 'ping' | 'route' | 'tcpdump' | 'dumpcap';

export interface DoctorFacts {
  platform: string;
  kernelRelease: string;
  isRoot: boolean;
  packageManager: PackageManager;
  tools: Record<Tool, string | null>;
  userns: Probe;
  /** The host sandbox's boundary can be built (bwrap, inner user namespace). */
  hostBoundary: Probe;
  hostIpip: Probe;
  ipipModule: IpipModuleState;
  uml: Probe;
  /** The UML kernel's boundary can be built (bwrap). */
  umlBoundary: Probe;
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

function installFix(pm: PackageManager, what: Requirement, lang: Lang): { fix: string; packages?: string[] } {
  const cmd = installCommand(pm, what);
  return cmd ? { fix: cmd, packages: [packageFor(pm, what)!] } : { fix: td(lang, 'doctor_install_any', { what }) };
}

export function doctorReport(f: DoctorFacts, lang: Lang = 'en'): DoctorReport {
  const t = (k: DoctorMessageKey, p?: Record<string, string>) => td(lang, k, p);
  const pm = f.packageManager;
  const checks: DoctorCheck[] = [];
  const linux = f.platform === 'linux';
  checks.push({
    id: 'linux',
    title: t('linux_title'),
    ok: linux,
    level: 'required',
    detail: linux ? `kernel ${f.kernelRelease}` : `platform ${f.platform}`,
    meaning: linux ? t('linux_ok') : t('linux_no'),
    ...(linux ? {} : { fix: t('linux_fix') }),
  });
  const tool = (id: Tool, level: DoctorCheck['level']) => {
    const found = f.tools[id];
    checks.push({
      id,
      title: t(`${id}_title`),
      ok: !!found,
      level,
      detail: found ?? t('tool_missing', { tool: id }),
      meaning: t(`${id}_meaning`),
      ...(found ? {} : installFix(pm, id, lang)),
    });
  };
  tool('ip', 'required');
  tool('ping', 'required');
  tool('route', 'required');
  tool('tcpdump', 'optional');
  tool('dumpcap', 'optional');

  checks.push({
    id: 'userns',
    title: t('userns_title'),
    ok: f.userns.ok,
    level: 'backend',
    detail: f.userns.detail,
    meaning: f.userns.ok ? t('userns_ok') : t('userns_no'),
    ...(f.userns.ok ? {} : { fix: /apparmor_restrict/.test(f.userns.detail) ? t('userns_fix_apparmor') : t('userns_fix_other') }),
  });

  const moduleOk = f.ipipModule === 'loaded' || f.ipipModule === 'builtin';
  checks.push({
    id: 'ipip',
    title: t('ipip_title'),
    ok: f.hostIpip.ok,
    level: 'backend',
    detail: f.hostIpip.ok
      ? t('ipip_detail_ok', { module: t(`module_${f.ipipModule}`) })
      : t('ipip_detail_no', { module: t(`module_${f.ipipModule}`), detail: f.hostIpip.detail }),
    meaning: f.hostIpip.ok
      ? t('ipip_ok')
      : f.ipipModule === 'missing'
        ? t('ipip_missing')
        : moduleOk
          ? t('ipip_blocked')
          : t('ipip_unloaded'),
    ...(f.hostIpip.ok
      ? {}
      : f.ipipModule === 'available'
        ? { fix: 'sudo modprobe ipip', loadIpip: true }
        : f.uml.ok
          ? {}
          : { fix: umlMissingFix(pm, lang) }),
  });

  const umlCmd = umlInstallCommand(pm);
  checks.push({
    id: 'uml',
    title: t('uml_title'),
    ok: f.uml.ok,
    level: 'backend',
    detail: f.uml.detail,
    meaning: f.uml.ok ? t('uml_ok') : f.hostIpip.ok ? t('uml_not_needed') : t('uml_needed'),
    ...(f.uml.ok ? {} : umlCmd ? { fix: umlCmd, packages: [packageFor(pm, 'uml')!] } : { fix: umlMissingFix(pm, lang) }),
  });

  // Each backend's confinement: the tutor uses a backend only when its boundary can be built.
  for (const [id, probe] of [
    ['host', f.hostBoundary],
    ['uml', f.umlBoundary],
  ] as const) {
    const bwrapMissing = /bwrap.*not found/.test(probe.detail);
    checks.push({
      id: `boundary-${id}`,
      title: t(`boundary_${id}_title`),
      ok: probe.ok,
      level: 'backend',
      detail: probe.detail,
      meaning: probe.ok ? t('boundary_ok') : t('boundary_no'),
      ...(probe.ok ? {} : bwrapMissing ? installFix(pm, 'bwrap', lang) : { fix: boundaryFix(pm, probe.detail, lang) }),
    });
  }

  const toolsOk = checks.filter((c) => c.level === 'required').every((c) => c.ok);
  // The verdict is the backend choice itself: doctor says what `--backend auto` will do.
  let backend: BackendName | null = null;
  let none = '';
  try {
    backend = decideBackend('auto', f, lang).backend;
  } catch (e) {
    if (!(e instanceof SandboxError)) throw e;
    const said = e.in(lang);
    none = t('summary_none', { message: said.message, fix: said.fix ?? '' }).trim();
  }
  const ok = toolsOk && backend !== null;
  const summary = !toolsOk ? t('summary_tools') : backend === 'host' ? t('summary_host') : backend === 'uml' ? t('summary_uml') : none;
  return { ok, backend, summary, checks };
}

/** Human-readable lines of a report. */
export function formatDoctor(r: DoctorReport, lang: Lang = 'en'): string[] {
  const lines = [td(lang, 'doctor_title')];
  const width = Math.max(...r.checks.map((c) => stringWidth(c.title)));
  for (const c of r.checks) {
    const mark = c.ok ? 'PASS' : c.level === 'optional' ? 'WARN' : 'FAIL';
    lines.push(`  ${mark}  ${c.title}${' '.repeat(width - stringWidth(c.title))}  ${c.detail}`);
    lines.push(`        ${' '.repeat(width)}  ${c.meaning}`);
    if (!c.ok && c.fix) lines.push(`        ${' '.repeat(width)}  ${td(lang, 'doctor_fix_prefix', { fix: c.fix })}`);
  }
  lines.push('', r.summary);
  return lines;
}

export async function gatherDoctorFacts(): Promise<DoctorFacts> {
  const [ip, ping, route, tcpdump, dumpcap, userns, host, ipipModule, uml, umlBoundary, pm] = await Promise.all([
    findExecutable('ip'),
    findExecutable('ping'),
    findExecutable('route'),
    findExecutable('tcpdump'),
    findExecutable('dumpcap'),
    userNamespacesProbe(),
    hostProbe(),
    hostIpipModule(),
    umlAvailable(),
    umlBoundaryProbe(),
    packageManager(),
  ]);
  return {
    platform: process.platform,
    kernelRelease: os.release(),
    isRoot: process.getuid?.() === 0,
    packageManager: pm,
    tools: { ip, ping, route, tcpdump, dumpcap },
    userns,
    hostBoundary: host.boundary,
    hostIpip: host.ipip,
    ipipModule,
    uml,
    umlBoundary,
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

async function execStreaming(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const child = execa(argv[0]!, argv.slice(1), {
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
  let buf = '';
  child.all?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const l of parts) out(`    ${l}`);
  });
  const r = await child;
  if (buf) out(`    ${buf}`);
  if (typeof r.exitCode === 'number') return r.exitCode;
  out(`    ${argv[0]}: ${r.shortMessage}`);
  return r.signal ? 1 : 127;
}

export async function runDoctor(opts: {
  fix: boolean;
  json?: boolean;
  lang?: Lang;
  out: (line: string) => void;
  deps?: Partial<DoctorDeps>;
}): Promise<number> {
  const gather = opts.deps?.gather ?? gatherDoctorFacts;
  const exec = opts.deps?.exec ?? execStreaming;
  let facts = await gather();
  const lang = opts.lang ?? 'en';
  let report = doctorReport(facts, lang);

  if (opts.fix) {
    const plan = fixPlan(report, facts.packageManager);
    const log = (line: string) => {
      if (!opts.json) opts.out(line);
    };
    if (plan.length === 0) {
      log(td(lang, 'fix_nothing'));
    } else if (!facts.isRoot) {
      log(td(lang, 'fix_needs_root'));
      for (const argv of plan) log(`  sudo ${argv.join(' ')}`);
    } else {
      for (const argv of plan) {
        log(td(lang, 'fix_running', { command: argv.join(' ') }));
        const code = await exec(argv, log);
        if (code !== 0) log(td(lang, 'fix_exited', { program: argv[0]!, code }));
      }
      facts = await gather();
      report = doctorReport(facts, lang);
    }
    if (!opts.json) opts.out('');
  }

  if (opts.json) opts.out(JSON.stringify(report, null, 2));
  else for (const line of formatDoctor(report, lang)) opts.out(line);
  return report.ok ? EXIT.ok : EXIT.failed;
}
