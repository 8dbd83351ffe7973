import { parseJsonArray, type RouteAnswer } from '../kernel/ipJson.js';
import { ipArgs, nsOf } from '../kernel/namespaces.js';
import { QueryBatch } from '../kernel/query.js';
import { lookupKey, simulatePing, type KernelAnswers, type Lookup, type PathResult } from '../kernel/simulate.js';
import type { Sandbox } from '../sandbox/types.js';
import { evaluateChecks, type CheckResult } from './evaluate.js';
import type { Check } from './schema.js';
import { emptySnapshot, gatherState, parsePing, pingArgv, pingKey, type Snapshot } from './state.js';

// Checks against the kernel in one round trip where it pays: one batched read of everything the
// checks need, with the pings that are expected to answer sent alongside; path reasoning over that
// state then stops or never sends a ping the state already dooms (no second of waiting for a reply
// that cannot come) and says for every failing ping where the packet dies.
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

/** Per sandbox, whether each ping answered at its last evaluation (see checkState). */
const lastPingOk = new WeakMap<Sandbox, Map<string, boolean>>();

/** Pings whose outcome path reasoning can predict: plain reachability, not MTU or expected failures. */
const predictable = (c: Ping) => c.expect === 'success' && c.size === undefined && !c.dontFragment;

function routeGetArgv(l: Lookup): string[] {
  return ipArgs(l.ns, 'route', 'get', l.dst, ...(l.from ? ['from', l.from] : []), ...(l.iif ? ['iif', l.iif] : []));
}

export async function checkState(sandbox: Sandbox, checks: readonly Check[], ctx: CheckContext = {}): Promise<CheckOutcome> {
  const state = [...checks.filter((c) => c.type !== 'answer'), ...(ctx.extra ?? [])];
  const pings = state.filter((c): c is Ping => c.type === 'ping');
  const echoes = new Set(ctx.echoes ?? []);
  const snap = emptySnapshot();
  // A ping that answered last time goes out with the state read (one round trip), in a query of
  // its own so that it can be stopped alone if the state now dooms it. The others wait for the
  // state: in a UML guest (one CPU) a ping started only to be stopped slows the read down. A ping
  // from a namespace whose echo counter is read waits too (its echo must not count as the learner's).
  const answered = lastPingOk.get(sandbox) ?? new Map<string, boolean>();
  lastPingOk.set(sandbox, answered);
  const inFlight = new Map<string, { stop: AbortController; done: Promise<void> }>();
  const later: Ping[] = [];
  const send = (c: Ping) => {
    const key = pingKey(c);
    const stop = new AbortController();
    const done = sandbox.query([pingArgv(c)], { timeoutMs: 10_000, signal: stop.signal }).then(([r]) => {
      if (!stop.signal.aborted && r) snap.pings[key] = parsePing(r);
    });
    inFlight.set(key, { stop, done });
  };
  for (const c of pings) {
    if (inFlight.has(pingKey(c)) || later.some((l) => pingKey(l) === pingKey(c))) continue;
    if (echoes.has(nsOf(c)) || answered.get(pingKey(c)) !== true) later.push(c);
    else send(c);
  }
  await gatherState(sandbox, state, {
    ...(ctx.echoes ? { echoes: ctx.echoes } : {}),
    sendPing: () => false,
    world: pings.length > 0,
    into: snap,
  });
  const paths: Record<string, PathResult> = {};
  const answers = new Map<string, RouteAnswer | null>();
  const ruledOut = new Set<string>();
  const simulate = () => {
    for (const c of pings) paths[pingKey(c)] = simulatePing(snap, nsOf(c), c.to, answers as KernelAnswers);
    // A ping the state already dooms: stopped (or never sent), no second of waiting for a reply.
    for (const c of pings) {
      const key = pingKey(c);
      if (!predictable(c) || paths[key]!.verdict !== 'fault' || ruledOut.has(key)) continue;
      ruledOut.add(key);
      if (snap.pings[key]) continue; // it has answered already: the kernel's word stands
      inFlight.get(key)?.stop.abort();
      snap.pings[key] = { ok: false, ttl: null, why: 'no_reply', mtu: null, predicted: true };
    }
  };
  simulate();
  // The pings that waited: all in one query (one process on the host backend, as many as needed in UML).
  const rest = new QueryBatch();
  for (const c of later) if (!ruledOut.has(pingKey(c))) rest.add(pingArgv(c), (r) => (snap.pings[pingKey(c)] = parsePing(r)));
  const restDone = rest.run(sandbox, { timeoutMs: 10_000 });

  // The lookups where routes tie, while the pings run; a tie settled may uncover another further on.
  for (let i = 0; i < 3; i++) {
    const round = new QueryBatch();
    for (const l of Object.values(paths).flatMap((p) => p.need ?? [])) {
      const k = lookupKey(l);
      if (answers.has(k)) continue;
      answers.set(k, null);
      round.add(routeGetArgv(l), (r) => answers.set(k, r.exitCode === 0 ? (parseJsonArray<RouteAnswer>(r.stdout)[0] ?? null) : null));
    }
    if (round.size === 0) break;
    await round.run(sandbox, { timeoutMs: 10_000 });
    simulate();
  }
  await Promise.all([...inFlight.values()].map((f) => f.done).concat(restDone));
  for (const [key, p] of Object.entries(snap.pings)) answered.set(key, p.ok);
  const results = evaluateChecks(checks, snap, ctx.answer, ctx.fromBreak, paths);
  return { results, snapshot: snap, paths };
}
