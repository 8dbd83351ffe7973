import { describe, expect, it } from 'vitest';
import { bwrapArgv, HOST_TMPFS, LIMITS } from '../../src/sandbox/confine.js';
import { enterArgv, holderArgv, hostBoundary } from '../../src/sandbox/host/hostArgs.js';

// The boundary's argv, read as bwrap reads it: order matters (a later mount covers an earlier one).
describe('bwrapArgv', () => {
  const plan = hostBoundary({
    hide: ['/home', '/home/tester', '/root', '/srv/me'],
    expose: ['/home/tester/.nvm/node', '/usr/bin/node'],
    hostDir: '/tmp/hd',
  });
  const a = bwrapArgv(plan);
  const at = (...words: string[]) => a.findIndex((_, i) => words.every((w, j) => a[i + j] === w));

  it('binds the host read-only first, then sized private tmpfs mounts', () => {
    expect(a.slice(0, 3)).toEqual(['bwrap', '--unshare-user', '--unshare-pid']);
    expect(at('--ro-bind', '/', '/')).toBeGreaterThan(0);
    for (const t of HOST_TMPFS) expect(at('--size', String(t.bytes), '--tmpfs', t.path)).toBeGreaterThan(at('--ro-bind', '/', '/'));
    expect(a.at(-1)).toBe('--');
  });

  it('hides each home once (not inside another hidden one, not where a private tmpfs is), then makes it read-only', () => {
    expect(at('--tmpfs', '/home')).toBeGreaterThan(0);
    expect(at('--tmpfs', '/home/tester')).toBe(-1);
    expect(at('--perms', '0755', '--tmpfs', '/root')).toBe(-1); // /root is the sandbox's own sized tmpfs
    expect(at('--remount-ro', '/srv/me')).toBeGreaterThan(at('--tmpfs', '/srv/me'));
    expect(at('--remount-ro', '/dev')).toBeGreaterThan(0);
  });

  it('puts back only what lives in a hidden place, and binds the host directory before the read-only remounts', () => {
    expect(at('--ro-bind', '/home/tester/.nvm/node', '/home/tester/.nvm/node')).toBeGreaterThan(at('--tmpfs', '/home'));
    expect(at('--ro-bind', '/usr/bin/node', '/usr/bin/node')).toBe(-1);
    expect(at('--bind', '/tmp/hd', '/run/ipip-tutor/host')).toBeLessThan(at('--remount-ro', '/home'));
  });
});

describe('host argv', () => {
  it('the task limit is set inside bwrap, before the inner user namespace that locks the mounts', () => {
    const a = holderArgv([], 'echo setup', hostBoundary({ hide: [], expose: [] }));
    const inner = a.indexOf('--') + 1;
    expect(a[inner]).toBe('bash');
    expect(a[inner + 2]).toMatch(new RegExp(`^ulimit -u ${LIMITS.tasks} -v ${LIMITS.addressSpaceBytes / 1024} `));
    expect(a.slice(inner + 4, inner + 7)).toEqual(['unshare', '--user', '--map-root-user']);
  });

  it('commands entered from outside get the per-process limits through prlimit', () => {
    expect(enterArgv(['setpriv', '--'], 42, ['true']).slice(0, 5)).toEqual([
      'setpriv',
      '--',
      'prlimit',
      `--as=${LIMITS.addressSpaceBytes}`,
      `--nproc=${LIMITS.tasks}`,
    ]);
  });
});
