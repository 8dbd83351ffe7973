import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabClient } from '../../src/server/lab/labClient.js';
import type { BackendName } from '../../src/sandbox/types.js';
import { labRoom, run, type LabRoom } from '../helpers/lab.js';

// Two attendees of one browser lab, each typing into their own real sandbox: neither can reach
// the other's network or see their namespaces, neither reaches the server's HTTP port, and
// nothing they type reads or writes the server's files (the class's database and the lab's
// tokens are hidden from every sandbox). Both backends.

describe.each<BackendName>(['host', 'uml'])('the lab on the %s backend', (backend) => {
  let lab: LabRoom;
  let ann: LabClient;
  let bob: LabClient;
  const port = () => new URL(lab.base).port;

  beforeAll(async () => {
    lab = await labRoom(backend);
    [ann, bob] = await Promise.all([lab.attendee('Ann'), lab.attendee('Bob')]);
    await Promise.all([ann.until(() => ann.ready, 90_000), bob.until(() => bob.ready, 90_000)]);
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('gives each attendee a network of their own: no ping, no shared namespaces or links', async () => {
    await run(
      ann,
      'ip link add annA type veth peer name annB && ip addr add 192.0.2.1/24 dev annA && ip link set annA up && ip link set annB up && ip netns add annsecret',
    );
    await run(
      bob,
      'ip link add bobA type veth peer name bobB && ip addr add 192.0.2.2/24 dev bobA && ip link set bobA up && ip link set bobB up',
    );
    expect(await run(ann, 'ping -c1 -W1 192.0.2.1 >/dev/null && echo SELF-OK')).toContain('SELF-OK');
    const ping = await run(bob, 'ping -c2 -W1 192.0.2.1 >/dev/null && echo REACHED-ANN || echo NO-ROUTE-TO-ANN');
    expect(ping).toContain('NO-ROUTE-TO-ANN');
    const seen = await run(bob, 'ip -o link; ip netns list; echo netns-done');
    expect(seen).toContain('bobA');
    expect(seen).not.toContain('annA');
    expect(seen).not.toContain('annsecret');
  }, 120_000);

  it("cannot reach the server's HTTP port, on loopback or on any address", async () => {
    const out = await run(ann, `timeout 3 bash -c '</dev/tcp/127.0.0.1/${port()}' 2>/dev/null && echo PORT-OPEN || echo PORT-CLOSED`);
    expect(out).toContain('PORT-CLOSED');
    // the sandbox's own routes: nothing leads out of it
    const routes = await run(ann, 'ip route get 1.1.1.1 2>&1 || true');
    expect(routes).toMatch(/unreachable/i);
  }, 60_000);

  it("neither reads nor writes the server's files", async () => {
    expect(existsSync(`${lab.stateDir}/lab/sessions.json`)).toBe(true);
    const read = await run(
      bob,
      `cat ${lab.stateDir}/lab/sessions.json ${lab.stateDir}/*.db 2>&1 | head -c 300; ls -A ${lab.stateDir} | wc -l`,
    );
    expect(read).not.toContain('learnerId');
    expect(read).not.toContain('SQLite');
    expect(read).toMatch(/No such file|^\s*0\s*$/m);
    // { ...; } 2>&1: the shell's own error about the redirection goes to stdout, in order with the marker
    const write = await run(bob, `{ echo pwned > ${lab.stateDir}/pwned; echo pwned > /var/tmp/pwned-${process.pid}; } 2>&1; echo tried`);
    expect(write, write).toMatch(/Read-only file system|Permission denied/);
    expect(existsSync(`${lab.stateDir}/pwned`)).toBe(false);
    expect(existsSync(`/var/tmp/pwned-${process.pid}`)).toBe(false);
  }, 60_000);
});
