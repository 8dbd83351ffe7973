import type { Check } from './schema.js';
import type { CheckMessageKey } from '../i18n/checkMessages.js';
import { matchAnswer } from './answer.js';
import { kindOf, normaliseDst, type IpLink } from '../kernel/ipJson.js';
import { nsOf, ROOT } from '../kernel/namespaces.js';
import type { NsSnapshot } from '../kernel/snapshot.js';
import { vethPeers } from '../kernel/veth.js';
import type { Fault, PathResult } from '../kernel/simulate.js';
import { outputKey, pingKey, sysctlKey, type Snapshot } from './state.js';

// Pure: (check, kernel snapshot) -> passed/failed with a specific reason. The reason is a
// message key plus params, rendered later in the learner's language.
/** A message by key; a param may itself be a message (rendered in the same language). */
export interface MsgRef {
  key: CheckMessageKey;
  params?: MsgParams;
}
export type MsgParams = Record<string, string | number | MsgRef>;

export interface CheckResult {
  check: Check;
  ok: boolean;
  key: CheckMessageKey;
  params: MsgParams;
  /** a failing ping: where the packet dies ('silent' when the state looks right but no reply came) */
  diagnosis?: Fault | 'silent';
}

const ref = (key: CheckMessageKey, params?: MsgParams): MsgRef => ({ key, params });

const nsParam = (ns: string): string | MsgRef => (ns === ROOT ? ref('root_ns') : ns);

function result(check: Check, ok: boolean, key: CheckMessageKey, params: MsgParams = {}): CheckResult {
  return { check, ok, key, params };
}

function findLink(st: NsSnapshot | undefined, name: string): IpLink | undefined {
  return st?.links.find((l) => l.ifname === name);
}

function whereIsLink(snap: Snapshot, name: string, except: string): string | undefined {
  return Object.entries(snap.ns).find(([ns, st]) => ns !== except && findLink(st, name))?.[0];
}

/** A namespace that must exist for the check to mean anything. */
function missingNs(check: Check, snap: Snapshot, ns: string, what: string): CheckResult | undefined {
  if (ns === ROOT) return undefined;
  const st = snap.ns[ns];
  if (st && st.exists) return undefined;
  return result(check, false, 'ns_unreachable', { ns: nsParam(ns), what });
}

function evalLink(c: Extract<Check, { type: 'link' }>, snap: Snapshot): CheckResult {
  const ns = nsOf(c);
  const p = { ns: nsParam(ns), name: c.name };
  const st = snap.ns[ns];
  const link = findLink(st, c.name);
  if (c.absent) return link ? result(c, false, 'link_still_there', p) : result(c, true, 'link_absent_ok', p);
  const gone = missingNs(c, snap, ns, c.name);
  if (gone) return gone;
  if (!link) {
    const elsewhere = whereIsLink(snap, c.name, ns);
    return elsewhere ? result(c, false, 'link_elsewhere', { ...p, found: nsParam(elsewhere) }) : result(c, false, 'link_missing', p);
  }
  const kind = kindOf(link);
  if (c.kind && kind !== c.kind) return result(c, false, 'link_wrong_kind', { ...p, found: kind, expected: c.kind });
  const up = link.flags.includes('UP');
  if (c.state === 'UP' && !up) return result(c, false, 'link_down', p);
  if (c.state === 'DOWN' && up) return result(c, false, 'link_up_unexpected', p);
  if (c.mtu !== undefined && link.mtu !== c.mtu) return result(c, false, 'link_wrong_mtu', { ...p, found: link.mtu, expected: c.mtu });
  if (c.peer !== undefined || c.peerNetns !== undefined) {
    const wantNs = c.peerNetns === undefined ? undefined : nsOf({ netns: c.peerNetns });
    const candidates = vethPeers(Object.values(snap.ns), snap.ns[ns]!, link).map((x) => ({ ns: x.ns.name, link: x.link }));
    const peer =
      candidates.find((x) => (c.peer === undefined || x.link.ifname === c.peer) && (wantNs === undefined || x.ns === wantNs)) ??
      candidates.find((x) => c.peer === undefined || x.link.ifname === c.peer) ??
      candidates[0];
    if (!peer) return result(c, false, 'link_no_peer', p);
    if (c.peer !== undefined && peer.link.ifname !== c.peer)
      return result(c, false, 'link_wrong_peer', { ...p, found: peer.link.ifname, expected: c.peer });
    if (wantNs !== undefined && peer.ns !== wantNs)
      return result(c, false, 'link_peer_wrong_ns', { ...p, peer: peer.link.ifname, found: nsParam(peer.ns), expected: nsParam(wantNs) });
  }
  // Only what the check asserts: a reason must not answer a later quiz (the mtu, say).
  const details = [
    c.kind ?? (c.peer ? kind : undefined),
    c.state,
    c.mtu !== undefined ? `mtu ${link.mtu}` : undefined,
    c.peer ? `peer ${c.peer}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return result(c, true, 'link_ok', { ...p, details: details || kind });
}

function evalAddress(c: Extract<Check, { type: 'address' }>, snap: Snapshot): CheckResult {
  const ns = nsOf(c);
  const [ip, len] = c.address.split('/') as [string, string | undefined];
  const p = { ns: nsParam(ns), dev: c.dev, address: c.address };
  const link = findLink(snap.ns[ns], c.dev);
  const v4 = (link?.addr_info ?? []).filter((a) => a.family === 'inet');
  const match = v4.find((a) => a.local === ip);
  if (c.absent) return match ? result(c, false, 'addr_still_there', p) : result(c, true, 'addr_absent_ok', p);
  const gone = missingNs(c, snap, ns, c.dev);
  if (gone) return gone;
  if (!link) return result(c, false, 'addr_no_dev', p);
  if (!match) {
    const has = v4.map((a) => `${a.local}/${a.prefixlen}`).join(', ');
    return result(c, false, 'addr_missing', { ...p, found: has ? ref('addr_has', { found: has }) : ref('addr_has_none') });
  }
  if (len !== undefined && match.prefixlen !== Number(len))
    return result(c, false, 'addr_wrong_prefix', { ...p, ip, found: match.prefixlen ?? '?', expected: len });
  if (c.peer !== undefined) {
    if (!match.address || match.address === match.local) return result(c, false, 'addr_no_peer', { ...p, ip, expected: c.peer });
    if (match.address.split('/')[0] !== c.peer)
      return result(c, false, 'addr_wrong_peer', { ...p, ip, found: match.address, expected: c.peer });
  }
  const shown = c.peer ? `${ip} peer ${c.peer}` : `${ip}/${match.prefixlen}`;
  return result(c, true, 'addr_ok', { ...p, address: shown });
}

function evalRoute(c: Extract<Check, { type: 'route' }>, snap: Snapshot): CheckResult {
  const ns = nsOf(c);
  const dst = normaliseDst(c.dst);
  const p = { ns: nsParam(ns), dst: c.dst };
  const routes = snap.ns[ns]?.routes ?? [];
  const matches = routes.filter((r) => normaliseDst(r.dst) === dst);
  if (c.absent) return matches.length ? result(c, false, 'route_still_there', p) : result(c, true, 'route_absent_ok', p);
  const gone = missingNs(c, snap, ns, c.dst);
  if (gone) return gone;
  if (matches.length === 0) return result(c, false, 'route_missing', p);
  const best = matches.find((r) => (c.via === undefined || r.gateway === c.via) && (c.dev === undefined || r.dev === c.dev)) ?? matches[0]!;
  if (c.via !== undefined && best.gateway !== c.via)
    return best.gateway
      ? result(c, false, 'route_wrong_via', { ...p, found: best.gateway, expected: c.via })
      : result(c, false, 'route_no_via', { ...p, expected: c.via });
  if (c.dev !== undefined && best.dev !== c.dev)
    return result(c, false, 'route_wrong_dev', { ...p, found: best.dev ?? '?', expected: c.dev });
  const scope = best.scope ?? 'global';
  if (c.scope !== undefined && scope !== c.scope) return result(c, false, 'route_wrong_scope', { ...p, found: scope, expected: c.scope });
  const details = [best.gateway ? ` via ${best.gateway}` : '', best.dev ? ` dev ${best.dev}` : ''].join('');
  return result(c, true, 'route_ok', { ...p, details });
}

function evalPing(c: Extract<Check, { type: 'ping' }>, snap: Snapshot, path: PathResult | undefined): CheckResult {
  const ns = nsOf(c);
  const p = { ns: nsParam(ns), to: c.to };
  const out = snap.pings[pingKey(c)];
  if (!out) return result(c, false, 'ping_failed', { ...p, why: ref('ping_no_reply') });
  const why: string | MsgRef =
    out.why === 'too_long'
      ? ref('ping_too_long', { mtu: out.mtu ?? '?' })
      : out.why === 'unreachable'
        ? ref('ping_unreachable')
        : out.why === 'no_reply'
          ? ref('ping_no_reply')
          : (out.why ?? '');
  if (c.expect === 'failure') {
    return out.ok
      ? result(c, false, 'ping_unexpected_success', { ...p, why: '' })
      : // Only what the check asserts: the mtu of a "message too long" is a later quiz's answer.
        result(c, true, 'ping_expected_failure_ok', {
          ...p,
          why: why ? ref('paren', { text: out.why === 'too_long' ? ref('ping_too_long_plain') : why }) : '',
        });
  }
  if (!out.ok) {
    const fault = path?.fault;
    const r = result(c, false, 'ping_failed', { ...p, why: fault ? faultRef(fault) : why });
    r.diagnosis = fault ?? (path?.verdict === 'ok' && out.why === 'no_reply' ? 'silent' : undefined);
    if (r.diagnosis === undefined) delete r.diagnosis;
    return r;
  }
  if (c.ttl !== undefined && out.ttl !== c.ttl) return result(c, false, 'ping_wrong_ttl', { ...p, found: out.ttl ?? '?', expected: c.ttl });
  // The ttl only when the check asks for one (it is the answer of a quiz otherwise).
  return result(c, true, 'ping_ok', { ...p, ttl: out.ttl === null || c.ttl === undefined ? '' : ref('ping_ttl', { ttl: out.ttl }) });
}

/** A GRE key as iproute2 prints it (0.0.0.2), from a number or a dotted quad. */
function keyQuad(k: number | string): string {
  if (typeof k === 'string') return k;
  return [24, 16, 8, 0].map((b) => (k >>> b) & 255).join('.');
}
/** How a learner typed it: `key 2`. */
function keyShown(quad: string): string {
  const n = quad.split('.').reduce((a, x) => a * 256 + Number(x), 0);
  return Number.isFinite(n) ? String(n) : quad;
}

function evalTunnel(c: Extract<Check, { type: 'tunnel' }>, snap: Snapshot): CheckResult {
  const ns = nsOf(c);
  const p = { ns: nsParam(ns), name: c.name };
  const gone = missingNs(c, snap, ns, c.name);
  if (gone) return gone;
  const link = findLink(snap.ns[ns], c.name);
  if (!link) return result(c, false, 'tunnel_missing', p);
  const kind = kindOf(link);
  if (kind !== c.mode) return result(c, false, 'tunnel_wrong_mode', { ...p, found: kind, expected: c.mode });
  const data = link.linkinfo?.info_data ?? {};
  const local = typeof data.local === 'string' ? data.local : 'any';
  const remote = typeof data.remote === 'string' ? data.remote : 'any';
  if (c.local !== undefined && c.remote !== undefined && local === c.remote && remote === c.local)
    return result(c, false, 'tunnel_swapped', { ...p, local, remote });
  if (c.local !== undefined && local !== c.local) return result(c, false, 'tunnel_wrong_local', { ...p, found: local, expected: c.local });
  if (c.remote !== undefined && remote !== c.remote)
    return result(c, false, 'tunnel_wrong_remote', { ...p, found: remote, expected: c.remote });
  if (c.key !== undefined) {
    const want = keyQuad(c.key);
    const ik = typeof data.ikey === 'string' ? data.ikey : undefined;
    const ok = typeof data.okey === 'string' ? data.okey : undefined;
    if (!ik && !ok) return result(c, false, 'tunnel_no_key', { ...p, expected: keyShown(want) });
    if (ik !== want || ok !== want)
      return result(c, false, 'tunnel_wrong_key', {
        ...p,
        found: keyShown(ik === want ? (ok ?? '') : (ik ?? '')),
        expected: keyShown(want),
      });
    return result(c, true, 'tunnel_ok_key', { ...p, mode: kind, local, remote, key: keyShown(want) });
  }
  return result(c, true, 'tunnel_ok', { ...p, mode: kind, local, remote });
}

/** What went wrong on a path, as a message (the first hop that went astray). */
export function faultRef(f: Fault): MsgRef {
  const key = (f.code === 'no_carrier' && f.params.peer ? 'diag_no_carrier_peer' : `diag_${f.code}`) as CheckMessageKey;
  const params: MsgParams = { ...f.params, ns: nsParam(f.ns), dst: f.dst, src: f.src };
  if (f.dev) params.dev = f.dev;
  if (f.route) params.route = f.route;
  if (f.params.peerNs) params.peerNs = nsParam(f.params.peerNs);
  if (f.params.expected) params.expected = nsParam(f.params.expected);
  return ref(f.direction === 'reply' ? 'diag_reply' : 'diag_request', { ns: nsParam(f.ns), what: ref(key, params) });
}

/** `answer` checks are decided by the engine from the learner's input, not by kernel state. */
export function evaluateAnswer(
  c: Extract<Check, { type: 'answer' }>,
  input: string | undefined,
  fromBreak: readonly string[] = [],
): CheckResult {
  if (input === undefined) return result(c, false, 'answer_waiting');
  const ok = matchAnswer(input, c.fromBreak ? fromBreak : (c.accept ?? [])) !== undefined;
  return ok ? result(c, true, 'answer_ok', { answer: input.trim() }) : result(c, false, 'answer_wrong', { answer: input.trim() });
}

export function evaluateCheck(
  c: Check,
  snap: Snapshot,
  answer?: string,
  fromBreak?: readonly string[],
  paths?: Record<string, PathResult>,
): CheckResult {
  switch (c.type) {
    case 'netns': {
      const has = snap.netns.includes(c.name);
      if (c.absent)
        return has ? result(c, false, 'netns_still_there', { name: c.name }) : result(c, true, 'netns_absent_ok', { name: c.name });
      return has ? result(c, true, 'netns_ok', { name: c.name }) : result(c, false, 'netns_missing', { name: c.name });
    }
    case 'link':
      return evalLink(c, snap);
    case 'address':
      return evalAddress(c, snap);
    case 'route':
      return evalRoute(c, snap);
    case 'sysctl': {
      const ns = nsOf(c);
      const v = snap.sysctl[sysctlKey(ns, c.key)];
      const p = { ns: nsParam(ns), key: c.key };
      if (v === undefined || v === null) return result(c, false, 'sysctl_unreadable', p);
      return v === c.value
        ? result(c, true, 'sysctl_ok', { ...p, value: v })
        : result(c, false, 'sysctl_wrong', { ...p, found: v, expected: c.value });
    }
    case 'ping':
      return evalPing(c, snap, paths?.[pingKey(c)]);
    case 'tunnel':
      return evalTunnel(c, snap);
    case 'module': {
      const loaded = snap.modules.includes(c.name);
      // A module built into the kernel is always there, and never listed in /proc/modules.
      if (c.loaded && !loaded && snap.builtinModules.includes(c.name)) return result(c, true, 'module_builtin_ok', { name: c.name });
      if (c.loaded) return loaded ? result(c, true, 'module_ok', { name: c.name }) : result(c, false, 'module_missing', { name: c.name });
      return loaded ? result(c, false, 'module_still_loaded', { name: c.name }) : result(c, true, 'module_unloaded_ok', { name: c.name });
    }
    case 'output': {
      const out = snap.outputs[outputKey(c)] ?? '';
      const ok =
        (c.contains === undefined || out.includes(c.contains)) && (c.matches === undefined || new RegExp(c.matches, 'm').test(out));
      return ok
        ? result(c, true, 'output_ok', { command: c.command })
        : result(c, false, 'output_missing', { command: c.command, expected: c.contains ?? `/${c.matches}/` });
    }
    case 'answer':
      return evaluateAnswer(c, answer, fromBreak);
    default: {
      const never: never = c;
      throw new Error(`unknown check ${JSON.stringify(never)}`);
    }
  }
}

export function evaluateChecks(
  checks: readonly Check[],
  snap: Snapshot,
  answer?: string,
  fromBreak?: readonly string[],
  paths?: Record<string, PathResult>,
): CheckResult[] {
  return checks.map((c) => evaluateCheck(c, snap, answer, fromBreak, paths));
}
