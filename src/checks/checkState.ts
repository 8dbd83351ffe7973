import { parseJsonArray, type RouteAnswer } from '../kernel/ipJson.js';
import { ipArgs, nsOf } from '../kernel/namespaces.js';
import { QueryBatch } from '../kernel/query.js';
import { lookupKey, simulatePing, type KernelAnswers, type Lookup, type PathResult } from '../kernel/simulate.js';
import type { Sandbox } from '../sandbox/types.js';
import { evaluateChecks, type CheckResult } from './evaluate.js';
import type { Check } from './schema.js';
import { gatherState, parsePing, pingArgv, pingKey, type Snapshot } from './state.js';

// Checks against the kernel, in as few round trips as the state allows: one batched read of
// everything the checks need; when they include pings, path reasoning over that state first, so
// a ping the state already dooms is not sent (no second of waiting for a reply that cannot come)
// and every failing ping says where the packet dies.
export interface CheckContext {
  /** the learner's answer to the step's quiz */
  answer?: string;
  /** the accepted answers of the breakage picked at this step's start */
  fromBreak?: readonly string[];
  /** namespaces whose ICMP echo counters to read */
  echoes?: readonly string[];
  /** more checks to read state for (mistake signatures); not part of the results */
  extra?: readonly Check[];
}

export interface CheckOutcome {
  results: CheckResult[];
  snapshot: Snapshot;
  /** path reasoning per ping check (pingKey) */
  paths: Record<string, PathResult>;
}

type Ping = Extract<Check, { type: 'ping' }>;

/** Pings whose outcome path reasoning can predict: plain reachability, not MTU or expected failures. */
const predictable = (c: Ping) => c.expect === 'success' && c.size === undefined && !c.dontFragment;

function routeGetArgv(l: Lookup): string[] {
  return ipArgs(l.ns, 'route', 'get', l.dst, ...(l.from ? ['from', l.from] : []), ...(l.iif ? ['iif', l.iif] : []));
}

export async function checkState(sandbox: Sandbox, checks: readonly Check[], ctx: CheckContext = {}): Promise<CheckOutcome> {
  const state = [...checks.filter((c) => c.type !== 'answer'), ...(ctx.extra ?? [])];
  const pings = state.filter((c): c is Ping => c.type === 'ping');
  const snap = await gatherState(sandbox, state, {
    ...(ctx.echoes ? { echoes: ctx.echoes } : {}),
    sendPing: () => false,
    world: pings.length > 0,
  });
  const paths: Record<string, PathResult> = {};
  const answers = new Map<string, RouteAnswer | null>();
  const simulate = () => {
    for (const c of pings) paths[pingKey(c)] = simulatePing(snap, nsOf(c), c.to, answers as KernelAnswers);
  };
  simulate();

  // Round two: the pings not ruled out, and the lookups where routes tie.
  const round = new QueryBatch();
  const lookups = (ks: PathResult[]) => {
    for (const l of ks.flatMap((p) => p.need ?? [])) {
      const k = lookupKey(l);
      if (answers.has(k)) continue;
      answers.set(k, null);
      round.add(routeGetArgv(l), (r) => answers.set(k, r.exitCode === 0 ? (parseJsonArray<RouteAnswer>(r.stdout)[0] ?? null) : null));
    }
  };
  const sent = new Set<string>();
  for (const c of pings) {
    const key = pingKey(c);
    if (sent.has(key)) continue;
    sent.add(key);
    const p = paths[key]!;
    if (predictable(c) && p.verdict === 'fault') {
      snap.pings[key] = { ok: false, ttl: null, why: 'no_reply', mtu: null, predicted: true };
      continue;
    }
    round.add(pingArgv(c), (r) => (snap.pings[key] = parsePing(r)));
  }
  lookups(Object.values(paths));
  await round.run(sandbox, { timeoutMs: 10_000 });
  // Ties settled by the kernel may uncover another tie further on: two more rounds at most.
  for (let i = 0; i < 2; i++) {
    simulate();
    const more = new QueryBatch();
    const before = answers.size;
    for (const l of Object.values(paths).flatMap((p) => p.need ?? [])) {
      const k = lookupKey(l);
      if (answers.has(k)) continue;
      answers.set(k, null);
      more.add(routeGetArgv(l), (r) => answers.set(k, r.exitCode === 0 ? (parseJsonArray<RouteAnswer>(r.stdout)[0] ?? null) : null));
    }
    if (answers.size === before) break;
    await more.run(sandbox, { timeoutMs: 10_000 });
  }
  const results = evaluateChecks(checks, snap, ctx.answer, ctx.fromBreak, paths);
  return { results, snapshot: snap, paths };
}
