import type { Key } from 'ink';

// ink hands useInput one event per read from stdin, and splits only escape sequences out of it.
// Keys that arrive together (a fast typist, tmux send-keys, the browser lab's keys queued on a
// busy machine) come as one string such as "\x13\r" (Ctrl-S, Enter), which ink parses as neither
// key. This cuts such a string back into the keys a terminal sent one by one: text runs stay text
// (a paste stays one insert), and each control character becomes the event ink gives it alone.

export interface KeyEvent {
  input: string;
  key: Key;
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

// C0 controls and DEL; ESC never reaches here inside a longer string (ink splits it off).
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /\r\n|[\x00-\x1f\x7f]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\x00-\x1f\x7f]/;

/** What ink's useInput reports for this control character pressed alone. */
function controlKey(c: string): KeyEvent | null {
  if (c === '\r' || c === '\n' || c === '\r\n') return { input: '', key: { ...NO_KEY, return: true } };
  if (c === '\t') return { input: '', key: { ...NO_KEY, tab: true } };
  if (c === '\x7f') return { input: '', key: { ...NO_KEY, delete: true } };
  if (c === '\b') return { input: '', key: { ...NO_KEY, backspace: true } };
  const code = c.charCodeAt(0);
  if (code >= 1 && code <= 26) return { input: String.fromCharCode(code + 96), key: { ...NO_KEY, ctrl: true } };
  return null; // NUL, Ctrl-\ ] ^ _: nothing the tutor binds, and not text
}

/** The keys inside one input event, in order; an event that is one key comes back as it is. */
export function splitKeys(input: string, key: Key): KeyEvent[] {
  const plain = !key.ctrl && !key.meta && !key.return && !key.tab && !key.backspace && !key.delete && !key.escape;
  if (!plain || input.length < 2) return [{ input, key }];
  if (!HAS_CONTROL.test(input)) return [{ input, key }];
  const out: KeyEvent[] = [];
  let from = 0;
  for (const m of input.matchAll(CONTROL)) {
    if (m.index > from) out.push({ input: input.slice(from, m.index), key: NO_KEY });
    const k = controlKey(m[0]);
    if (k) out.push(k);
    from = m.index + m[0].length;
  }
  if (from < input.length) out.push({ input: input.slice(from), key: NO_KEY });
  return out;
}
