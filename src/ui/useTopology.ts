import { useEffect, useState } from 'react';
import { readWorld } from '../kernel/snapshot.js';
import type { Sandbox } from '../sandbox/types.js';
import { topologyOf, type Topology } from '../kernel/topology.js';

// Reads what exists in the sandbox (namespaces, links, addresses) for the live map and Tab
// completion. The shaping into a Topology is pure (map/topology.ts); this only queries.

export async function gatherTopology(sandbox: Sandbox): Promise<Topology> {
  return topologyOf(await readWorld(sandbox));
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
