import { describe, expect, it } from 'vitest';

import { doctorReport, fixPlan, formatDoctor, runDoctor, type DoctorFacts } from '../../src/cli/commands/doctor.js';

// Given facts as the probes would report them on a few kinds of machine.
function facts(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    platform: 'linux',
    kernelRelease: '6.8.0',
    isRoot: false,
    packageManager: 'apt-get',
    tools: {
      ip: '/usr/sbin/ip',
      ping: '/usr/bin/ping',
      route: '/usr/sbin/route',
      tcpdump: '/usr/bin/tcpdump',
      dumpcap: '/usr/bin/dumpcap',
    },
    userns: { ok: true, detail: 'as uid 1000' },
    hostIpip: { ok: true, detail: 'works' },
    ipipModule: 'loaded',
    uml: { ok: true, detail: '/usr/bin/linux.uml' },
    hostBoundary: { ok: true, detail: 'bwrap, host read-only' },
    umlBoundary: { ok: true, detail: 'bwrap, host read-only' },
    ...over,
  };
}

const noTunnel = { ok: false, detail: 'add tunnel "tunl0" failed: No such device' };
const check = (r: ReturnType<typeof doctorReport>, id: string) => r.checks.find((c) => c.id === id)!;

describe('doctorReport', () => {
  it('a fully equipped machine passes every check and uses the host backend', () => {
    const r = doctorReport(facts());
    expect(r.ok).toBe(true);
    expect(r.backend).toBe('host');
    expect(r.checks.map((c) => c.id)).toEqual([
      'linux',
      'ip',
      'ping',
      'route',
      'tcpdump',
      'dumpcap',
      'userns',
      'ipip',
      'uml',
      'boundary-host',
      'boundary-uml',
    ]);
    expect(r.checks.every((c) => c.ok)).toBe(true);
  });

  it('a kernel without ipip but with UML (this CI machine) runs with the uml backend', () => {
    const r = doctorReport(facts({ hostIpip: noTunnel, ipipModule: 'missing' }));
    expect(r.ok).toBe(true);
    expect(r.backend).toBe('uml');
    expect(check(r, 'ipip').ok).toBe(false);
    expect(check(r, 'ipip').meaning).toMatch(/no ipip support/);
    expect(r.summary).toMatch(/uml backend/);
  });

  it('a loadable but unloaded module offers `sudo modprobe ipip`', () => {
    const r = doctorReport(facts({ hostIpip: noTunnel, ipipModule: 'available', uml: { ok: false, detail: 'linux.uml not found' } }));
    expect(r.ok).toBe(false);
    expect(check(r, 'ipip').fix).toBe('sudo modprobe ipip');
    expect(check(r, 'uml').fix).toBe('sudo apt-get install user-mode-linux');
    expect(fixPlan(r, 'apt-get')).toEqual([
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', 'user-mode-linux'],
      ['modprobe', 'ipip'],
    ]);
  });

  it('missing tools fail with the package that provides them (apt and dnf names)', () => {
    const tools = { ip: null, ping: '/usr/bin/ping', route: null, tcpdump: null, dumpcap: '/usr/bin/dumpcap' };
    const apt = doctorReport(facts({ tools }));
    expect(apt.ok).toBe(false);
    expect(check(apt, 'ip').fix).toBe('sudo apt-get install iproute2');
    expect(check(apt, 'route').fix).toBe('sudo apt-get install net-tools');
    expect(check(apt, 'tcpdump').level).toBe('optional');
    const dnf = doctorReport(facts({ tools, packageManager: 'dnf' }));
    expect(check(dnf, 'ip').fix).toBe('sudo dnf install iproute');
    expect(fixPlan(dnf, 'dnf')).toEqual([['dnf', 'install', '-y', 'iproute', 'net-tools', 'tcpdump']]);
  });

  it('only a missing optional tool keeps the verdict ok', () => {
    const r = doctorReport(
      facts({ tools: { ip: '/usr/sbin/ip', ping: '/bin/ping', route: '/sbin/route', tcpdump: null, dumpcap: '/usr/bin/dumpcap' } }),
    );
    expect(r.ok).toBe(true);
    expect(formatDoctor(r).some((l) => l.startsWith('  WARN  tcpdump'))).toBe(true);
  });

  it('no ipip and no UML: the verdict fails and says what to install', () => {
    const r = doctorReport(facts({ hostIpip: noTunnel, ipipModule: 'missing', uml: { ok: false, detail: 'linux.uml not found' } }));
    expect(r.ok).toBe(false);
    expect(r.backend).toBeNull();
    expect(r.summary).toMatch(/sudo apt-get install user-mode-linux/);
  });

  it('restricted user namespaces (Ubuntu AppArmor) get the sysctl fix', () => {
    const r = doctorReport(
      facts({
        userns: { ok: false, detail: 'unshare: write failed (kernel.apparmor_restrict_unprivileged_userns=1)' },
        hostIpip: { ok: false, detail: 'unshare failed' },
      }),
    );
    expect(check(r, 'userns').fix).toMatch(/apparmor_restrict_unprivileged_userns=0/);
    expect(r.backend).toBe('uml');
  });

  it('no bubblewrap: neither backend can be confined, so none is used, and the fix installs it', () => {
    const noBwrap = { ok: false, detail: 'bwrap not found' };
    const r = doctorReport(facts({ hostBoundary: noBwrap, hostIpip: noTunnel, umlBoundary: noBwrap }));
    expect(r.ok).toBe(false);
    expect(r.backend).toBeNull();
    expect(check(r, 'boundary-host').fix).toBe('sudo apt-get install bubblewrap');
    expect(check(r, 'boundary-uml').ok).toBe(false);
    expect(r.summary).toMatch(/cannot be confined/);
    expect(fixPlan(r, 'apt-get')).toEqual([
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', 'bubblewrap'],
    ]);
  });

  it('the verdict is the backend choice: a host that cannot be confined is passed over for uml', () => {
    const r = doctorReport(facts({ hostBoundary: { ok: false, detail: 'setting up uid map: Permission denied' } }));
    expect(r.backend).toBe('uml');
    expect(check(r, 'boundary-host').fix).toMatch(/user namespaces/);
  });

  it('speaks Chinese when asked', () => {
    const r = doctorReport(facts({ hostIpip: noTunnel, ipipModule: 'missing' }), 'zh');
    expect(r.summary).toMatch(/uml 后端/);
    expect(formatDoctor(r, 'zh')[0]).toMatch(/体检/);
    expect(check(r, 'boundary-uml').title).toBe('uml 沙箱的隔离');
  });

  it('a non-Linux system fails at the first check', () => {
    const r = doctorReport(facts({ platform: 'darwin' }));
    expect(check(r, 'linux').ok).toBe(false);
    expect(r.ok).toBe(false);
  });
});

describe('runDoctor', () => {
  it('prints each requirement with PASS/FAIL, its meaning and fix, and returns the exit code', async () => {
    const lines: string[] = [];
    const code = await runDoctor({
      fix: false,
      out: (l) => lines.push(l),
      deps: { gather: async () => facts({ hostIpip: noTunnel, ipipModule: 'missing', uml: { ok: false, detail: 'linux.uml not found' } }) },
    });
    expect(code).toBe(1);
    const text = lines.join('\n');
    expect(text).toMatch(/PASS\s+Linux/);
    expect(text).toMatch(/FAIL\s+user-mode-linux\s+linux\.uml not found/);
    expect(text).toMatch(/fix: sudo apt-get install user-mode-linux/);
  });

  it('--json prints one JSON document', async () => {
    const lines: string[] = [];
    const code = await runDoctor({ fix: false, json: true, out: (l) => lines.push(l), deps: { gather: async () => facts() } });
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ ok: true, backend: 'host' });
  });

  it('--fix as a normal user prints the sudo commands and runs nothing', async () => {
    const lines: string[] = [];
    const ran: string[][] = [];
    await runDoctor({
      fix: true,
      out: (l) => lines.push(l),
      deps: {
        gather: async () =>
          facts({
            tools: { ip: '/usr/sbin/ip', ping: null, route: '/sbin/route', tcpdump: '/usr/bin/tcpdump', dumpcap: '/usr/bin/dumpcap' },
          }),
        exec: async (argv) => (ran.push([...argv]), 0),
      },
    });
    expect(ran).toEqual([]);
    expect(lines).toContain('  sudo apt-get install -y iputils-ping');
  });

  it('--fix as root installs, loads ipip, then re-checks', async () => {
    const ran: string[][] = [];
    let fixed = false;
    const code = await runDoctor({
      fix: true,
      out: () => {},
      deps: {
        gather: async () =>
          fixed
            ? facts({ isRoot: true })
            : facts({
                isRoot: true,
                tools: { ip: '/usr/sbin/ip', ping: null, route: '/sbin/route', tcpdump: null, dumpcap: '/usr/bin/dumpcap' },
                hostIpip: noTunnel,
                ipipModule: 'available',
              }),
        exec: async (argv) => {
          ran.push([...argv]);
          fixed = true;
          return 0;
        },
      },
    });
    expect(ran).toEqual([
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', 'iputils-ping', 'tcpdump'],
      ['modprobe', 'ipip'],
    ]);
    expect(code).toBe(0);
  });
});
