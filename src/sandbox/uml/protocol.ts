// The wire protocol between the host (channel.ts) and the agent inside the UML guest
// (guest/agent.c): one JSON object per line over the guest's serial line. The host side uses these
// types; the agent parses exactly these shapes (flat objects, ASCII-only, see encodeHostMessage).
export type HostMessage =
  /** Run `bash -c sh`, or argv directly (no shell). `max` caps stdout+stderr (the agent kills at
   *  the cap), `input` is the command's stdin, `merge` puts stdout and stderr in one ordered stream. */
  | { t: 'run'; id: number; sh: string; max?: number }
  | { t: 'run'; id: number; argv: readonly string[]; max?: number; input?: string; merge?: boolean }
  /** Read a file as `cat path` (or `ip netns exec ns cat path`) would, with no process: the agent
   *  enters the namespace itself. The answer comes as a command's: 'o' chunks and an 'x'. */
  | { t: 'read'; id: number; path: string; ns?: string; max?: number }
  /** Signal the command's process group. */
  | { t: 'sig'; id: number; sig: 'SIGINT' | 'SIGKILL' | 'SIGTERM' }
  | { t: 'ping'; id: number };

export type GuestMessage =
  /** After the shims and /lib/modules are in place. */
  | { t: 'ready'; kernel: string; features: { ipip: boolean; gre: boolean } }
  /** An output chunk, base64; s is 1 (stdout) or 2 (stderr). */
  | { t: 'o'; id: number; s: 1 | 2; d: string }
  /** The output cap was hit on stream s; the command was SIGKILLed. */
  | { t: 'cap'; id: number; s: 1 | 2 }
  /** The command ended. */
  | { t: 'x'; id: number; code: number | null; sig: string | null }
  | { t: 'log'; msg: string }
  | { t: 'pong'; id: number };

/** ASCII-only JSON: the guest tty sees plain bytes, never a split multi-byte character. */
export function encodeHostMessage(m: HostMessage): string {
  return JSON.stringify(m).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}
