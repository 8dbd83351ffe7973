import { useEffect, useState } from 'react';
import { parseJsonArray, type IpLink, type IpRoute } from '../checks/ipJson.js';
import { ipArgs, ROOT } from '../checks/state.js';
import type { Sandbox } from '../sandbox/types.js';
import { buildTopology, type RawNs, type Topology } from './map/topology.js';

// Reads what exists in the sandbox (namespaces, links, addresses) for the live map and Tab
// completion. The shaping into a Topology is pure (map/topology.ts); this only queries.

export async function gatherTopology(sandbox: Sandbox): Promise<Topology> {
  const [list] = await sandbox.query([['ip', '-j', 'netns', 'list']], { timeoutMs: 5000 });
  const netns = list && list.exitCode === 0 ? parseJsonArray<{ name: string; id?: number }>(list.stdout) : [];
  const names = [ROOT, ...netns.map((n) => n.name)];
  const argv = names.flatMap((ns) => [ipArgs(ns, '-d', 'addr', 'show'), ipArgs(ns, 'route', 'show')]);
  const results = await sandbox.query(argv, { timeoutMs: 5000 });
  const ok = (i: number) => {
    const r = results[i];
    return r && r.exitCode === 0 ? r.stdout : '';
  };
  const raw: RawNs[] = names.map((name, i) => {
    const ns: RawNs = { name, links: parseJsonArray<IpLink>(ok(2 * i)), routes: parseJsonArray<IpRoute>(ok(2 * i + 1)) };
    const id = i > 0 ? netns[i - 1]?.id : undefined;
    if (id !== undefined) ns.nsid = id;
    return ns;
  });
  return buildTopology(raw);
}

/**
 * The sandbox's topology, re-read whenever `version` changes (the REPL bumps it after every
 * command and step change). Keeps the last good topology while a new one is read.
 */
export function useTopology(sandbox: Sandbox | null, version: number): Topology | null {
  const [topo, setTopo] = useState<Topology | null>(null);
  useEffect(() => {
    if (!sandbox) return;
    let live = true;
    gatherTopology(sandbox).then(
      (t) => live && setTopo(t),
      () => {}, // a sandbox being rebuilt or closed: keep what we had
    );
    return () => {
      live = false;
    };
  }, [sandbox, version]);
  return topo;
}
