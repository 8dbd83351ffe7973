import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { splitKeys } from '../../src/ui/keyChunks.js';

// What ink's useInput reports for a string of keys read at once (no flags set: it parsed as
// text), and what the tutor must see instead: the keys one by one.

const TEXT: Key = {
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
const names = (s: string) =>
  splitKeys(s, TEXT).map(({ input, key }) =>
    key.ctrl ? `^${input}` : key.return ? '⏎' : key.tab ? '⇥' : key.delete ? 'DEL' : key.backspace ? 'BS' : input,
  );

describe('keys read together', () => {
  it('one key or plain text comes back as it is', () => {
    expect(splitKeys('a', TEXT)).toEqual([{ input: 'a', key: TEXT }]);
    expect(names('sudo ip netns add ns1')).toEqual(['sudo ip netns add ns1']);
    expect(names('网络命名空间')).toEqual(['网络命名空间']);
    const ctrlS = { ...TEXT, ctrl: true };
    expect(splitKeys('s', ctrlS)).toEqual([{ input: 's', key: ctrlS }]);
  });
  it('control keys inside are cut out, in order', () => {
    expect(names('\x13\r')).toEqual(['^s', '⏎']);
    expect(names('ns1x\x7f\r')).toEqual(['ns1x', 'DEL', '⏎']);
    expect(names('ip l\tv1\x08')).toEqual(['ip l', '⇥', 'v1', 'BS']);
    expect(names('\x14\x14')).toEqual(['^t', '^t']);
  });
  it('a pasted block becomes its lines with an Enter after each; CR LF is one Enter', () => {
    expect(names('echo A\r\necho B\necho C')).toEqual(['echo A', '⏎', 'echo B', '⏎', 'echo C']);
  });
  it('controls the tutor does not bind are dropped, not inserted', () => {
    expect(names('a\x00b\x1c')).toEqual(['a', 'b']);
  });
});
