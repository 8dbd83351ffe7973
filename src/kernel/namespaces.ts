import type { RunResult, Sandbox } from '../sandbox/types.js';
import { parseJsonArray } from './ipJson.js';

// Naming network namespaces: the sandbox's own one is the article's "root namespace", called
// ROOT everywhere (lessons omit `netns` or write `root` for it), and commands are placed into a
// namespace the way a learner would (`ip -n NS ...`, `ip netns exec NS ...`).
export const ROOT = 'root';

/** The namespace a check or a query is about. */
export function nsOf(c: { netns?: string | undefined }): string {
  return c.netns === undefined || c.netns === ROOT ? ROOT : c.netns;
}

/** `ip -j ...` in a namespace (`-n NS`, or nothing for the root namespace). */
export function ipArgs(ns: string, ...rest: string[]): string[] {
  return ns === ROOT ? ['ip', '-j', ...rest] : ['ip', '-n', ns, '-j', ...rest];
}

/** Any program in a namespace. */
export function inNs(ns: string, argv: readonly string[]): string[] {
  return ns === ROOT ? [...argv] : ['ip', 'netns', 'exec', ns, ...argv];
}

/** The same, as a learner types it (for "the command that shows it"). */
export function typedInNs(ns: string, command: string): string {
  return ns === ROOT ? command : `ip netns exec ${ns} ${command}`;
}

export const LIST_NETNS = ['ip', '-j', 'netns', 'list'];

export interface NetnsEntry {
  name: string;
  /** the id by which the root namespace refers to it (link_netnsid of a veth peer there) */
  id?: number;
}

export function parseNetnsList(r: RunResult | undefined): NetnsEntry[] {
  return r && r.exitCode === 0 ? parseJsonArray<NetnsEntry>(r.stdout) : [];
}

/** Namespaces that exist now, from `ip netns list` (empty output means none). */
export async function listNetns(sandbox: Sandbox): Promise<NetnsEntry[]> {
  const [r] = await sandbox.query([LIST_NETNS]);
  return parseNetnsList(r);
}
