import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homesToHide } from '../../src/sandbox/confine.js';
import { measuredCapacity, MEMORY_PER_ATTENDEE } from '../../src/server/lab/capacity.js';
import { fullPage } from '../../src/server/lab/pages.js';
import { browserMessageSchema, LAB_LIMITS } from '../../src/server/lab/socketProtocol.js';
import { virtualTerminal } from '../../src/server/lab/virtualTerminal.js';

// The browser lab's pure parts: the capacity default, what a browser may send, the in-memory
// terminal ink draws on, the "class is full" page.

const GiB = 1024 ** 3;

describe('the lab capacity default', () => {
  it('is the smaller of what memory and cores allow', () => {
    const big = measuredCapacity('uml', { memory: 16 * GiB, cores: 2 });
    expect(big.max).toBe(Math.min(big.byMemory, big.byCores));
    expect(big.byMemory).toBe(Math.floor((15 * GiB) / MEMORY_PER_ATTENDEE.uml));
    const small = measuredCapacity('uml', { memory: 2 * GiB, cores: 64 });
    expect(small.max).toBe(small.byMemory);
    expect(small.why).toContain('memory allows');
  });
  it('admits at least one attendee', () => {
    expect(measuredCapacity('host', { memory: 0, cores: 1 }).max).toBe(1);
  });
});

describe('what a browser may send', () => {
  const hello = { t: 'hello', token: null, name: 'Ann', lang: 'en', cols: 100, rows: 30 };
  it('accepts a hello, keys and a resize', () => {
    expect(browserMessageSchema.safeParse(hello).success).toBe(true);
    expect(browserMessageSchema.safeParse({ t: 'in', d: 'ip netns\r' }).success).toBe(true);
    expect(browserMessageSchema.safeParse({ t: 'resize', cols: 80, rows: 24 }).success).toBe(true);
  });
  it('refuses forged tokens, absurd sizes, floods of keys and unknown messages', () => {
    expect(browserMessageSchema.safeParse({ ...hello, token: '../../etc/passwd' }).success).toBe(false);
    expect(browserMessageSchema.safeParse({ ...hello, cols: 100_000 }).success).toBe(false);
    expect(browserMessageSchema.safeParse({ ...hello, name: '' }).success).toBe(false);
    expect(browserMessageSchema.safeParse({ t: 'in', d: 'x'.repeat(LAB_LIMITS.keysPerFrame + 1) }).success).toBe(false);
    expect(browserMessageSchema.safeParse({ t: 'reset' }).success).toBe(false);
  });
});

describe('the in-memory terminal', () => {
  it('is a TTY to ink: raw mode, a size, CR LF newlines as a tty makes them, resize events', () => {
    const out: string[] = [];
    const t = virtualTerminal({ columns: 90, rows: 20, onOutput: (d) => out.push(d) });
    expect(t.stdin.isTTY && t.stdout.isTTY).toBe(true);
    t.stdin.setRawMode(true);
    t.stdout.write('a\nb\r\nc');
    expect(out.join('')).toBe('a\r\nb\r\nc');
    let resized = 0;
    t.stdout.on('resize', () => resized++);
    t.resize(120, 40);
    t.resize(120, 40);
    expect([t.stdout.columns, t.stdout.rows, resized]).toEqual([120, 40, 1]);
    const typed: string[] = [];
    t.stdin.on('data', (d: Buffer) => typed.push(d.toString()));
    t.type('ls\r');
    return new Promise<void>((r) => setImmediate(() => (expect(typed.join('')).toBe('ls\r'), r())));
  });
});

describe('the class-is-full page', () => {
  it('speaks both languages and escapes what it shows', () => {
    const html = fullPage('zh', 20, 'http://x/join/<script>');
    expect(html).toContain('课堂已满');
    expect(html).toContain('The class is full');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });
});

describe('what the lab hides from sandboxes (IPIP_TUTOR_HIDE_PATHS)', () => {
  const nobody = { uid: 65534, gid: 65534, dropPrefix: [], describe: 'nobody' };
  it('hides the class directory, and leaves out what the sandbox user cannot reach anyway', () => {
    const dir = mkdtempSync('/var/tmp/ipip-hide-test-'); // 0700, owned by this user
    mkdirSync(join(dir, 'lab'));
    try {
      const hidden = homesToHide(nobody, { IPIP_TUTOR_HIDE_PATHS: `${dir}:${join(dir, 'lab')}` });
      expect(hidden).toContain(dir);
      if (process.getuid?.() !== 65534) expect(hidden).not.toContain(join(dir, 'lab'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
