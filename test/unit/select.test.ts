import { describe, expect, it } from 'vitest';

import { decideBackend, umlInstallCommand, umlMissingFix, type BackendFacts } from '../../src/sandbox/select.js';
import { SandboxError } from '../../src/sandbox/types.js';

const yes = { ok: true, detail: 'works' };
const noTunnel = { ok: false, detail: 'add tunnel "tunl0" failed: No such device' };
const noUml = { ok: false, detail: 'linux.uml not found' };

function facts(over: Partial<BackendFacts> = {}): BackendFacts {
  return { hostBoundary: yes, hostIpip: yes, uml: yes, umlBoundary: yes, packageManager: 'apt-get', ...over };
}

describe('decideBackend', () => {
  it('auto picks the host when the host sandbox can make an ipip tunnel', () => {
    expect(decideBackend('auto', facts())).toEqual({
      backend: 'host',
      reason: expect.stringMatching(/host kernel can make ipip tunnels/),
    });
  });

  it('auto falls back to uml and says why the host cannot', () => {
    const r = decideBackend('auto', facts({ hostIpip: noTunnel }));
    expect(r.backend).toBe('uml');
    expect(r.reason).toMatch(/No such device/);
    expect(r.reason).toMatch(/User-Mode Linux/);
  });

  it('auto with neither throws a SandboxError with the exact install command', () => {
    let err: unknown;
    try {
      decideBackend('auto', facts({ hostIpip: noTunnel, uml: noUml }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).message).toMatch(/No such device/);
    expect((err as SandboxError).message).toMatch(/linux\.uml not found/);
    expect((err as SandboxError).fix).toMatch(/`sudo apt-get install user-mode-linux`/);
    expect((err as SandboxError).fix).toMatch(/sudo modprobe ipip/);
  });

  it('an explicit request is honoured; uml without UML installed is an error', () => {
    expect(decideBackend('uml', facts({ hostIpip: noTunnel })).backend).toBe('uml');
    expect(decideBackend('host', facts({ uml: noUml })).backend).toBe('host');
    expect(decideBackend('host', facts({ hostIpip: noTunnel })).reason).toMatch(/ipip tunnels will fail here/);
    expect(() => decideBackend('uml', facts({ uml: noUml }))).toThrow(SandboxError);
  });

  it('gives a dnf user an honest fix (no UML package there)', () => {
    expect(umlInstallCommand('dnf')).toBeNull();
    expect(umlMissingFix('dnf')).toMatch(/does not package User-Mode Linux/);
    expect(umlMissingFix('dnf')).toMatch(/sudo modprobe ipip/);
    expect(umlInstallCommand('apt-get')).toBe('sudo apt-get install user-mode-linux');
  });

  it('never picks a backend that cannot be confined, and no request gets one', () => {
    const noBwrap = { ok: false, detail: 'bwrap not found' };
    const r = decideBackend('auto', facts({ hostBoundary: noBwrap }));
    expect(r.backend).toBe('uml');
    expect(r.reason).toMatch(/cannot be confined: bwrap not found/);
    expect(() => decideBackend('host', facts({ hostBoundary: noBwrap }))).toThrow(/cannot be confined here/);
    expect(() => decideBackend('uml', facts({ umlBoundary: noBwrap }))).toThrow(/cannot be confined here/);
    let err: unknown;
    try {
      decideBackend('auto', facts({ hostBoundary: noBwrap, umlBoundary: noBwrap }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).fix).toMatch(/sudo apt-get install bubblewrap/);
  });

  it("Ubuntu's AppArmor user-namespace restriction gets its sysctl as the fix", () => {
    const restricted = { ok: false, detail: 'setting up uid map: Permission denied (kernel.apparmor_restrict_unprivileged_userns=1)' };
    expect(() => decideBackend('host', facts({ hostBoundary: restricted }))).toThrow(SandboxError);
    try {
      decideBackend('auto', facts({ hostBoundary: restricted, umlBoundary: restricted }));
    } catch (e) {
      expect((e as SandboxError).fix).toMatch(/apparmor_restrict_unprivileged_userns=0/);
    }
  });
});
