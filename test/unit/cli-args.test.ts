import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/errors.js';
import { batchScript, parseBatch } from '../../src/sandbox/host/batch.js';
import { resolveSandboxUser } from '../../src/sandbox/identity.js';
import { langFromEnv } from '../../src/i18n/lang.js';

describe('command line', () => {
  it('parses play --auto with a range', () => {
    expect(parseCli(['play', '--auto', '--backend', 'host', '--from', 'veth', '--to', 'routes'])).toMatchObject({
      command: 'play', auto: true, backend: 'host', from: 'veth', to: 'routes',
    });
  });
  it('rejects unknown flags, misplaced flags and bad values clearly', () => {
    expect(() => parseCli(['--frobnicate'])).toThrow(UsageError);
    expect(() => parseCli(['lessons', '--auto'])).toThrow(/does not apply to "lessons"/);
    expect(() => parseCli(['play'])).toThrow(/exactly one of --auto or --commands/);
    expect(() => parseCli(['--backend', 'kvm'])).toThrow(/auto, host or uml/);
    expect(() => parseCli(['--lang', 'fr'])).toThrow(/en or zh/);
    expect(() => parseCli(['dance'])).toThrow(/unknown command "dance"/);
  });
});

describe('sandbox identity', () => {
  it('never keeps root: drops to the sudo caller, else nobody', () => {
    expect(resolveSandboxUser({}, 1000, 1000).dropPrefix).toEqual([]);
    expect(resolveSandboxUser({ SUDO_UID: '1001', SUDO_GID: '1002' }, 0, 0)).toMatchObject({ uid: 1001, gid: 1002 });
    expect(resolveSandboxUser({}, 0, 0)).toMatchObject({ uid: 65534 });
  });
});

describe('language from the environment', () => {
  it('follows LC_ALL, LC_MESSAGES, LANG in order', () => {
    expect(langFromEnv({ LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(langFromEnv({ LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(langFromEnv({})).toBe('en');
  });
});

describe('batched queries', () => {
  it('splits outputs, errors and exit codes per command', () => {
    const b = '@@B';
    const script = batchScript([['ip', 'x'], ['echo', "it's"]], b);
    expect(script).toContain(`'it'\\''s'`);
    const out = `\n${b} 0 1 o\nouty\n${b} 0 e\nerr\n\n${b} 1 0 o\nit's\n\n${b} 1 e\n\n${b} end\n`;
    const [r0, r1] = parseBatch(out, 2, b, 1);
    expect(r0).toMatchObject({ exitCode: 1, stdout: 'outy', stderr: 'err\n' });
    expect(r1).toMatchObject({ exitCode: 0, stdout: "it's\n" });
  });
});
