import { describe, expect, it } from 'vitest';
import { playAuto, playCommands } from '../../src/cli/commands/play.js';
import { loadCourse } from '../../src/course/load.js';
import { builtins } from '../../src/engine/builtins.js';
import { sandboxFactory } from '../../src/sandbox/factory.js';

// What an instructor replays or projects: `play --commands --echo` and `play --auto --pace human`
// print what the REPL shows, from real sandboxes (host backend: these steps need no tunnel).
const course = loadCourse('test/fixtures/course-feedback');

async function play(commands: string[], from = 'l1/cable', to = 'l1/cable'): Promise<string[]> {
  const { make } = await sandboxFactory('host');
  const lines: string[] = [];
  await playCommands({
    course,
    makeSandbox: make,
    lang: 'en',
    from,
    to,
    out: (l) => lines.push(l),
    commands,
    echo: true,
    builtins: builtins(),
  });
  return lines;
}

describe('play --commands --echo: a faithful transcript', () => {
  it('a step that passes with a declared mistake still in the state says so at once, with the undo', async () => {
    const out = await play(
      ['ip route add 10.10.30.0/24 dev v1-P', 'ip netns exec ns1 ip route add 10.10.30.0/24 via 10.10.10.1'],
      'l1/stray',
      'l1/stray',
    );
    const text = out.join('\n');
    expect(text).toContain('✓ step complete: A third subnet');
    expect(text).toMatch(
      /✓ step complete: A third subnet\nPassed, but something is left over[\s\S]*root\s+namespace[\s\S]*Undo it: ip route del\s+10\.10\.30\.0\/24/,
    );
  }, 60_000);

  it("a command's output and errors in the order they came, as on a terminal", async () => {
    const text = (await play(['echo one; ls /no-such-dir; echo two'], 'l1/stray', 'l1/stray')).join('\n');
    expect(text).toMatch(/\none\nls: cannot access '\/no-such-dir': No such file or directory\ntwo\n/);
  }, 60_000);

  it('the same step done right: no leftover note', async () => {
    const text = (await play(['ip netns exec ns1 ip route add 10.10.30.0/24 via 10.10.10.1'], 'l1/stray', 'l1/stray')).join('\n');
    expect(text).toContain('✓ step complete: A third subnet');
    expect(text).not.toContain('left over');
  }, 60_000);

  it('each command with its output, each check with its reason, a recognised mistake and its repair', async () => {
    const out = await play(['ip link add v3 type veth peer name v3-P', 'ip link show v3', 'ip link set v3 netns ns1']);
    const text = out.join('\n');
    expect(text).toContain('$ ip link add v3 type veth peer name v3-P');
    expect(text).toMatch(/✗ v3 is not in ns1, it is in the root namespace/);
    expect(text).toContain('! Without netns ns1 both ends stay in the root namespace.');
    expect(text).toContain('undo it: ip link set v3 netns ns1');
    expect(text).toMatch(/\$ ip link show v3\n\d+: v3@v3-P: <BROADCAST,MULTICAST,M-DOWN>/);
    expect(text).toMatch(/✓ v3 in ns1: veth, peer v3-P/);
    expect(out.at(-1)).toBe('course complete');
  }, 60_000);

  it('a failing ping says where the packet dies, what shows it and what fixes it', async () => {
    const out = await play(
      [
        'echo 0 > /proc/sys/net/ipv4/ip_forward',
        'echo 1 > /proc/sys/net/ipv4/ip_forward',
        'ip netns exec ns1 ping -c1 10.10.20.2',
        'ip netns exec ns2 ping -c1 10.10.10.2',
      ],
      'l1/ping',
      'l1/ping',
    );
    const text = out.join('\n');
    expect(text.replace(/\n +/g, ' ')).toContain(
      '✗ ns1 cannot reach 10.10.20.2: the packet is lost in the root namespace: it would have to be forwarded, but ip_forward is 0 here',
    );
    expect(text).toContain('↳ fix: `echo 1 > /proc/sys/net/ipv4/ip_forward`');
    expect(text).toContain('✓ step complete: Ping both ways');
  }, 60_000);
});

describe('play --auto --pace human: worth projecting', () => {
  it('types the commands out, shows the step text, the question and its answer, and lesson titles instead of ids', async () => {
    const { make } = await sandboxFactory('host');
    let raw = '';
    const lines: string[] = [];
    const code = await playAuto({
      course,
      makeSandbox: make,
      lang: 'en',
      from: 'l1/ping',
      to: 'l1/cable',
      out: (l) => lines.push(l),
      write: (t) => (raw += t),
      pace: 'human',
      typingMs: 0,
      pauseScale: 0,
      builtins: builtins(),
    });
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('== 1. Feedback › Ping both ways (2/6)');
    expect(text).toContain('Ping ns2 from ns1 and back.'); // the step's text
    expect(raw).toContain('$ ip netns exec ns1 ping -c1 10.10.20.2\n'); // typed out
    expect(text).toMatch(/64 bytes from 10\.10\.20\.2: icmp_seq=1 ttl=63/); // its output
    expect(text).toContain('✓ Ping both ways');
    expect(text).not.toContain('l1/ping');
  }, 60_000);
});
