import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpText, langInArgv, parseCli } from '../../src/cli/args.js';
import { UsageError } from '../../src/engine/errors.js';
import { batchScript, newBoundary, parseBatch } from '../../src/sandbox/host/batch.js';
import { resolveSandboxUser } from '../../src/sandbox/identity.js';
import { langFromEnv } from '../../src/i18n/lang.js';

describe('command line', () => {
  it('parses play --auto with a range', () => {
    expect(parseCli(['play', '--auto', '--backend', 'host', '--from', 'veth', '--to', 'routes'])).toMatchObject({
      command: 'play',
      auto: true,
      backend: 'host',
      from: 'veth',
      to: 'routes',
    });
  });
  it('rejects unknown flags, misplaced flags and bad values clearly', () => {
    expect(() => parseCli(['--frobnicate'])).toThrow(UsageError);
    expect(() => parseCli(['lessons', '--auto'])).toThrow(/does not apply to "lessons"/);
    expect(() => parseCli(['play'])).toThrow(/exactly one of --auto or --commands/);
    expect(() => parseCli(['--backend', 'kvm'])).toThrow(/--backend must be auto, host, uml, not "kvm"/);
    expect(() => parseCli(['--lang', 'fr'])).toThrow(/en, zh/);
    expect(() => parseCli(['dance'])).toThrow(/^unknown command "dance"$/);
    expect(() => parseCli(['--lang'])).toThrow(/option --lang needs a value/);
    expect(() => parseCli(['--json=yes', 'lessons'])).toThrow(/option --json takes no value/);
  });

  it('the classroom: classroom options, --join/--name/--private on the tutor and on play', () => {
    expect(parseCli(['classroom', '--host', '127.0.0.1', '--port', '0', '--state', '/tmp/c', '--title', 'T'])).toMatchObject({
      command: 'classroom',
      host: '127.0.0.1',
      port: 0,
      state: '/tmp/c',
      title: 'T',
    });
    const url = 'http://10.0.0.2:8370/join/AbCdEfGh12345678';
    expect(parseCli(['--join', url, '--name', ' Ann ', '--private'])).toMatchObject({
      command: 'start',
      join: url,
      name: 'Ann',
      private: true,
    });
    expect(parseCli(['play', '--auto', '--join', url])).toMatchObject({ command: 'play', join: url, private: false });
    expect(() => parseCli(['--join', 'http://10.0.0.2:8370/dashboard?key=x'])).toThrow(/--join needs the join URL/);
    expect(() => parseCli(['--private'])).toThrow(/--private only means something with --join/);
    expect(() => parseCli(['--join', url, '--name', 'x'.repeat(41)])).toThrow(/--name must be 1 to 40/);
    expect(() => parseCli(['classroom', '--port', '70000'])).toThrow(/--port must be a number/);
    expect(() => parseCli(['classroom', '--join', url])).toThrow(/does not apply to "classroom"/);
    expect(() => parseCli(['lessons', '--host', 'x'])).toThrow(/ipip-tutor classroom --host/);
    for (const lang of ['en', 'zh'] as const) expect(helpText(lang, 'classroom')).toContain('dashboard: URL');
  });

  it('suggests the command, option or value that was probably meant', () => {
    expect(() => parseCli(['lesons'])).toThrow('unknown command "lesons" (did you mean lessons?)');
    expect(() => parseCli(['play', '--atuo'])).toThrow('unknown option --atuo (did you mean --auto?)');
    expect(() => parseCli(['--backend', 'hots'])).toThrow(/\(did you mean host\?\)/);
    expect(() => parseCli(['lessons', '--fix'])).toThrow(
      'option --fix does not apply to "lessons" (did you mean ipip-tutor doctor --fix?)',
    );
    expect(() => parseCli(['-x'])).toThrow(/^unknown option -x$/);
    try {
      parseCli(['play', '--atuo']);
    } catch (e) {
      expect((e as UsageError).command).toBe('play'); // "Run `ipip-tutor help play` for its options."
    }
  });

  it('help for each command: help COMMAND and COMMAND --help', () => {
    expect(parseCli(['help', 'play'])).toMatchObject({ command: 'help', help: true, helpTopic: 'play' });
    expect(parseCli(['play', '--help'])).toMatchObject({ help: true, helpTopic: 'play' });
    for (const argv of [['--help'], ['help'], ['-h']]) {
      expect(parseCli(argv).help).toBe(true);
      expect(parseCli(argv).helpTopic).toBeUndefined();
    }
    expect(() => parseCli(['help', 'plya'])).toThrow(/did you mean play/);
    for (const lang of ['en', 'zh'] as const) {
      expect(helpText(lang, 'play')).toContain('--commands');
      expect(helpText(lang)).toContain('ipip-tutor help');
    }
  });

  it('words its errors in the language of the run, which --lang sets before anything is checked', () => {
    expect(langInArgv(['play', '--lang', 'zh', '--bogus'])).toBe('zh');
    expect(langInArgv(['--lang=en'])).toBe('en');
    expect(langInArgv(['--', '--lang', 'zh'])).toBeUndefined();
    expect(() => parseCli(['lesons'], 'zh')).toThrow('未知命令“lesons”（你是不是想输入 lessons？）');
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

  it('honours LANGUAGE first, as gettext does, except in the C locale', () => {
    expect(langFromEnv({ LANGUAGE: 'zh_CN:en', LANG: 'en_US.UTF-8' })).toBe('zh');
    expect(langFromEnv({ LANGUAGE: 'fr:zh_TW', LANG: 'en_US.UTF-8' })).toBe('zh');
    expect(langFromEnv({ LANGUAGE: 'fr', LANG: 'zh_CN.UTF-8' })).toBe('zh');
    expect(langFromEnv({ LANGUAGE: 'zh_CN', LC_ALL: 'C' })).toBe('en');
    expect(langFromEnv({ LANGUAGE: 'zh_CN' })).toBe('zh');
    expect(langFromEnv({ LANGUAGE: 'zh_CN', LANG: 'C.UTF-8' })).toBe('zh');
  });
});

describe('batched queries', () => {
  // The script is plain bash: run it here with harmless commands (no lesson command, no sandbox).
  const runBatch = (commands: string[][]) => {
    const b = newBoundary();
    const r = spawnSync('bash', ['-c', batchScript(commands, b)], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    return parseBatch(r.stdout, commands.length, b, 1);
  };

  it('splits outputs, errors and exit codes per command, quoting arguments', () => {
    const [r0, r1, r2] = runBatch([
      ['sh', '-c', 'echo outy; echo err >&2; exit 3'],
      ['echo', "it's"],
      ['printf', 'no newline'],
    ]);
    expect(r0).toMatchObject({ exitCode: 3, stdout: 'outy\n', stderr: 'err\n', timedOut: false });
    expect(r1).toMatchObject({ exitCode: 0, stdout: "it's\n", stderr: '' });
    expect(r2).toMatchObject({ exitCode: 0, stdout: 'no newline' });
  });

  it('runs the commands at the same time (the first waits for a file only the last one makes)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipip-tutor-batch-'));
    try {
      const flag = join(dir, 'flag');
      const [a, , c] = runBatch([
        ['sh', '-c', `for i in $(seq 1 500); do [ -e '${flag}' ] && exit 0; sleep 0.01; done; exit 9`],
        ['true'],
        ['touch', flag],
      ]);
      expect(a!.exitCode).toBe(0);
      expect(c!.exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a cut-off output gives "no result" rather than a wrong one', () => {
    const b = '@@B';
    const out = `\n${b} 0 o\nouty\n${b} 0 e\n`;
    expect(parseBatch(out, 1, b, 1)[0]).toMatchObject({ exitCode: null, timedOut: true });
  });
});
