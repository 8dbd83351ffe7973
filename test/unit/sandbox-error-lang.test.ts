import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/engine/errors.js';
import { boundaryFix, UML_INSTALL_FIX, umlMissingFix } from '../../src/sandbox/packages.js';
import { modulesFor, SandboxError } from '../../src/sandbox/types.js';
import { tu } from '../../src/i18n/uiMessages.js';

// The sandboxes do not know the learner's language: their errors name a catalog key, and the
// front end says it in the learner's language. A Chinese learner on a machine without UML reads
// Chinese, not an English sentence behind a Chinese prefix.

describe('a sandbox error in the learner language', () => {
  const e = new SandboxError({ key: 'uml_not_installed', params: { name: 'linux.uml' } }, UML_INSTALL_FIX);

  it('is English in its message (logs, tests) and Chinese where a Chinese learner reads it', () => {
    expect(e.message).toBe('User-Mode Linux is not installed: `linux.uml` was not found on PATH.');
    expect(e.fix).toMatch(/^Install User-Mode Linux: `sudo apt-get install user-mode-linux`/);
    expect(e.in('zh')).toEqual({
      message: '没有安装 User-Mode Linux：在 PATH 中找不到 `linux.uml`。',
      fix: '安装 User-Mode Linux：`sudo apt-get install user-mode-linux`（Debian/Ubuntu），然后运行 `ipip-tutor doctor`。',
    });
    const shown = describeError(e, 'zh').text;
    expect(shown).toContain('没有安装 User-Mode Linux');
    expect(shown).not.toContain('is not installed');
  });

  it('says nested sentences in the same language, and keeps a tool’s own words as they are', () => {
    const nested = new SandboxError({ key: 'host_create_failed', params: { detail: { key: 'host_timeout', params: { seconds: 10 } } } });
    expect(nested.message).toBe('Could not create the host sandbox: the sandbox did not become ready within 10 s');
    expect(nested.in('zh').message).toBe('无法创建 host 沙箱：沙箱在 10 s 内没有就绪');
    const tool = new SandboxError({ key: 'boot_dir_failed', params: { detail: 'ENOSPC: no space left on device' } });
    expect(tool.in('zh').message).toBe('无法准备 UML 的启动目录：ENOSPC: no space left on device');
  });

  it('gives the fixes of the backend choice in the language asked', () => {
    expect(umlMissingFix('apt-get', 'zh')).toContain('`sudo apt-get install user-mode-linux`；或者');
    expect(umlMissingFix('dnf', 'en')).toMatch(/does not package User-Mode Linux/);
    expect(boundaryFix('apt-get', 'bwrap: not found', 'zh')).toBe(
      '安装 bubblewrap：`sudo apt-get install bubblewrap`（沙箱在它里面运行）。',
    );
  });

  it('is never an English literal in the sandbox code: every one names a key', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk('src/sandbox');
    const literal = /new SandboxError\(\s*[`'"]/;
    expect(files.filter((f) => literal.test(readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('names the module that makes the tunnels: ip_gre for gre (gre alone is only its helper)', () => {
    expect(modulesFor(['gre'])).toBe('ip_gre');
    const zh = tu('zh', 'step_needs_feature', { feature: 'gre', module: modulesFor(['gre']), backend: 'host' });
    expect(zh).toContain('`sudo modprobe ip_gre`');
    expect(zh).not.toContain('modprobe gre`');
  });
});
