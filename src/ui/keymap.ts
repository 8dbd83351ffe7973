import type { Key } from 'ink';
import type { UiMessageKey } from '../i18n/uiMessages.js';

// Every key the REPL understands, in one table: the help screen (`?`) and the footer are
// generated from it, and the input handler only asks `matchKey`.
//
// Choices, and why:
// - Ctrl-H is what many terminals send for Backspace, Ctrl-M is Enter, Ctrl-I is Tab, Ctrl-[ is
//   Esc, so none of them can carry a tutor action. F-keys are not reported by ink's useInput.
// - Readline editing keys keep their usual meaning (Ctrl-A/E/U/K/W, Ctrl-P/N for history).
// - Ctrl-S and Ctrl-Q (XON/XOFF) reach us because the terminal is in raw mode.
// - Skip and restart change the sandbox, so they ask for a second press.

export type Action =
  | 'submit'
  | 'hint'
  | 'solve'
  | 'skip'
  | 'restart'
  | 'menu'
  | 'map'
  | 'lang'
  | 'hand'
  | 'help'
  | 'quit'
  | 'interrupt'
  | 'historyPrev'
  | 'historyNext'
  | 'complete'
  | 'left'
  | 'right'
  | 'home'
  | 'end'
  | 'backspace'
  | 'deleteChar'
  | 'deleteWord'
  | 'killLine'
  | 'killEnd'
  | 'menuUp'
  | 'menuDown'
  | 'menuPageUp'
  | 'menuPageDown'
  | 'menuEnter'
  | 'menuClose';

export type Mode = 'prompt' | 'menu' | 'help';

export type KeySpec =
  | { ctrl: string }
  | { name: 'return' | 'escape' | 'tab' | 'up' | 'down' | 'left' | 'right' | 'home' | 'end' | 'pageUp' | 'pageDown' | 'backspace' }
  | { char: string };

export interface Binding {
  action: Action;
  keys: KeySpec[];
  /** shown in the help screen; bindings without one are not listed */
  label?: UiMessageKey;
  mode: Mode;
  /** only when the prompt line is empty (`?`, Ctrl-D to quit) or only when it is not */
  when?: 'empty' | 'nonEmpty';
}

export const KEYMAP: readonly Binding[] = [
  // ---- at the prompt: the tutor's actions ----
  { action: 'submit', keys: [{ name: 'return' }], label: 'key_submit', mode: 'prompt' },
  { action: 'hint', keys: [{ ctrl: 't' }], label: 'key_hint', mode: 'prompt' },
  { action: 'solve', keys: [{ ctrl: 's' }], label: 'key_solve', mode: 'prompt' },
  { action: 'skip', keys: [{ ctrl: 'x' }], label: 'key_skip', mode: 'prompt' },
  { action: 'restart', keys: [{ ctrl: 'r' }], label: 'key_restart', mode: 'prompt' },
  { action: 'menu', keys: [{ name: 'escape' }, { ctrl: 'o' }], label: 'key_menu', mode: 'prompt' },
  { action: 'map', keys: [{ ctrl: 'g' }], label: 'key_map', mode: 'prompt' },
  { action: 'lang', keys: [{ ctrl: 'l' }], label: 'key_lang', mode: 'prompt' },
  // Ctrl-Y: free here (no readline yank, the line editor has no kill ring); a classroom's raised hand.
  { action: 'hand', keys: [{ ctrl: 'y' }], label: 'key_hand', mode: 'prompt' },
  { action: 'help', keys: [{ char: '?' }], label: 'key_help', mode: 'prompt', when: 'empty' },
  { action: 'interrupt', keys: [{ ctrl: 'c' }], label: 'key_interrupt', mode: 'prompt' },
  { action: 'quit', keys: [{ ctrl: 'q' }], label: 'key_quit', mode: 'prompt' },
  { action: 'quit', keys: [{ ctrl: 'd' }], mode: 'prompt', when: 'empty' },
  // ---- line editing ----
  { action: 'historyPrev', keys: [{ name: 'up' }, { ctrl: 'p' }], label: 'key_history', mode: 'prompt' },
  { action: 'historyNext', keys: [{ name: 'down' }, { ctrl: 'n' }], mode: 'prompt' },
  { action: 'complete', keys: [{ name: 'tab' }], label: 'key_complete', mode: 'prompt' },
  { action: 'left', keys: [{ name: 'left' }, { ctrl: 'b' }], mode: 'prompt' },
  { action: 'right', keys: [{ name: 'right' }, { ctrl: 'f' }], mode: 'prompt' },
  { action: 'home', keys: [{ name: 'home' }, { ctrl: 'a' }], label: 'key_home_end', mode: 'prompt' },
  { action: 'end', keys: [{ name: 'end' }, { ctrl: 'e' }], mode: 'prompt' },
  { action: 'backspace', keys: [{ name: 'backspace' }], mode: 'prompt' },
  { action: 'deleteChar', keys: [{ ctrl: 'd' }], mode: 'prompt', when: 'nonEmpty' },
  { action: 'deleteWord', keys: [{ ctrl: 'w' }], label: 'key_delete_word', mode: 'prompt' },
  { action: 'killLine', keys: [{ ctrl: 'u' }], mode: 'prompt' },
  { action: 'killEnd', keys: [{ ctrl: 'k' }], mode: 'prompt' },
  // ---- lesson menu ----
  { action: 'menuUp', keys: [{ name: 'up' }, { ctrl: 'p' }, { char: 'k' }], label: 'key_menu_move', mode: 'menu' },
  { action: 'menuDown', keys: [{ name: 'down' }, { ctrl: 'n' }, { char: 'j' }], mode: 'menu' },
  { action: 'menuPageUp', keys: [{ name: 'pageUp' }], mode: 'menu' },
  { action: 'menuPageDown', keys: [{ name: 'pageDown' }], mode: 'menu' },
  { action: 'menuEnter', keys: [{ name: 'return' }], label: 'key_menu_enter', mode: 'menu' },
  { action: 'menuClose', keys: [{ name: 'escape' }, { ctrl: 'o' }, { ctrl: 'c' }, { char: 'q' }], label: 'key_menu_close', mode: 'menu' },
  { action: 'quit', keys: [{ ctrl: 'q' }], mode: 'menu' },
  // ---- help screen: arrows scroll, any of these closes it ----
  { action: 'menuUp', keys: [{ name: 'up' }, { char: 'k' }], mode: 'help' },
  { action: 'menuDown', keys: [{ name: 'down' }, { char: 'j' }], mode: 'help' },
  { action: 'menuClose', keys: [{ name: 'escape' }, { name: 'return' }, { char: '?' }, { char: 'q' }, { ctrl: 'c' }], mode: 'help' },
  { action: 'quit', keys: [{ ctrl: 'q' }], mode: 'help' },
];

const NAME_OF: Record<string, (k: Key) => boolean> = {
  return: (k) => k.return,
  escape: (k) => k.escape,
  tab: (k) => k.tab,
  up: (k) => k.upArrow,
  down: (k) => k.downArrow,
  left: (k) => k.leftArrow,
  right: (k) => k.rightArrow,
  home: (k) => k.home,
  end: (k) => k.end,
  pageUp: (k) => k.pageUp,
  pageDown: (k) => k.pageDown,
  // \x7f (what most terminals send for Backspace) arrives as `delete`, \b (Ctrl-H) as `backspace`.
  backspace: (k) => k.backspace || k.delete,
};

function matches(spec: KeySpec, input: string, key: Key): boolean {
  if ('ctrl' in spec) return key.ctrl && input.toLowerCase() === spec.ctrl;
  if ('name' in spec) {
    if (spec.name === 'return' && (input === '\n' || input === '\r')) return true;
    return NAME_OF[spec.name]!(key);
  }
  return !key.ctrl && !key.meta && input === spec.char;
}

/** The action for a key press in a mode, or null (then it is text to insert, if printable). */
export function matchKey(mode: Mode, input: string, key: Key, promptEmpty = true): Action | null {
  for (const b of KEYMAP) {
    if (b.mode !== mode) continue;
    if (b.when === 'empty' && !promptEmpty) continue;
    if (b.when === 'nonEmpty' && promptEmpty) continue;
    if (b.keys.some((s) => matches(s, input, key))) return b.action;
  }
  return null;
}

export function keyLabel(spec: KeySpec): string {
  if ('ctrl' in spec) return `Ctrl-${spec.ctrl.toUpperCase()}`;
  if ('char' in spec) return spec.char;
  const names: Record<string, string> = {
    return: 'Enter',
    escape: 'Esc',
    tab: 'Tab',
    up: '↑',
    down: '↓',
    left: '←',
    right: '→',
    home: 'Home',
    end: 'End',
    pageUp: 'PgUp',
    pageDown: 'PgDn',
    backspace: 'Backspace',
  };
  return names[spec.name]!;
}

/** The keys of an action as shown to the learner, e.g. "Esc/Ctrl-O". */
export function keysFor(action: Action, mode: Mode = 'prompt'): string {
  const specs = KEYMAP.filter((b) => b.action === action && b.mode === mode).flatMap((b) => b.keys);
  return specs.map(keyLabel).join('/');
}

/** Rows for the help screen: keys and message key, in table order. */
export function helpRows(mode: Mode = 'prompt'): { keys: string; label: UiMessageKey }[] {
  const rows: { keys: string; label: UiMessageKey }[] = [];
  for (const b of KEYMAP) {
    if (b.mode !== mode || !b.label) continue;
    let keys = b.keys.map(keyLabel).join('/');
    // history and home/end rows also cover their partner binding
    if (b.action === 'historyPrev') keys = `↑/↓`;
    if (b.action === 'home') keys = 'Ctrl-A/Ctrl-E';
    if (b.action === 'deleteWord') keys = 'Ctrl-W/Ctrl-U';
    rows.push({ keys, label: b.label });
  }
  return rows;
}
