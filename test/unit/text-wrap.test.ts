import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { checkCatalog } from '../../src/i18n/checkMessages.js';
import { cliCatalog } from '../../src/i18n/cliMessages.js';
import { doctorCatalog } from '../../src/i18n/doctorMessages.js';
import { uiCatalog } from '../../src/i18n/uiMessages.js';
import { PACKET_MESSAGES } from '../../src/packets/messages.js';
import { wrapLine, wrapText } from '../../src/text/width.js';

// Chinese line breaking (禁则): a wrapped line never starts with closing punctuation nor ends
// with opening punctuation, and every line still fits.
const CLOSING = '，。、；：？！）」”';
const OPENING = '（「“';
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001B\[[0-9;]*m/g, '');

function breakProblems(lines: string[], width: number): string[] {
  const out: string[] = [];
  lines.forEach((raw, i) => {
    const l = plain(raw);
    if (stringWidth(l) > width) out.push(`line ${i} is wider than ${width}: ${l}`);
    const first = l.trimStart()[0];
    const last = l.trimEnd().slice(-1);
    if (i > 0 && first && CLOSING.includes(first)) out.push(`line ${i} starts with closing punctuation: ${l}`);
    if (i < lines.length - 1 && last && OPENING.includes(last)) out.push(`line ${i} ends with opening punctuation: ${l}`);
  });
  return out;
}

describe('wrapping Chinese text', () => {
  it('moves the character before a closing mark down with it', () => {
    // 一二三四五 fills 10 columns exactly; the comma must not start the next line
    expect(wrapLine('一二三四五，六七八', 10)).toEqual(['一二三四', '五，六七八']);
    expect(wrapLine('一二三四五。', 10)).toEqual(['一二三四', '五。']);
    expect(wrapLine('一二三“四五”，六', 10)).toEqual(['一二三“四', '五”，六']);
    expect(wrapLine('一二三四（五六）七', 10)).toEqual(['一二三四', '（五六）七']);
  });

  it('keeps an opening mark with what follows it', () => {
    expect(wrapLine('一二三四（五六）', 10)).toEqual(['一二三四', '（五六）']);
    expect(wrapLine('一二三四「五六」', 10)).toEqual(['一二三四', '「五六」']);
    expect(wrapLine('一二三四“五六”', 9)).toEqual(['一二三四', '“五六”']);
    expect(wrapLine('执行 ip link（查看接口）', 13)).toEqual(['执行 ip link', '（查看接口）']);
  });

  it('keeps the rule with colours on', () => {
    const lines = wrapLine('\u001B[1m一二三四五\u001B[0m，六七八', 10);
    expect(lines.map(plain)).toEqual(['一二三四', '五，六七八']);
    expect(breakProblems(lines, 10)).toEqual([]);
  });

  it('holds for every Chinese message of the product at every width from 8 to 40 columns', () => {
    const texts = [cliCatalog, uiCatalog, checkCatalog, doctorCatalog, PACKET_MESSAGES].flatMap((c) => Object.values(c.zh) as string[]);
    expect(texts.length).toBeGreaterThan(300);
    const problems: string[] = [];
    for (const t of texts) for (let w = 8; w <= 40; w++) problems.push(...breakProblems(wrapText(t, w), w).map((p) => `${w}: ${p}`));
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it('the check itself sees a bad break', () => {
    expect(breakProblems(['一二三四五', '，六七八'], 10)).toHaveLength(1);
    expect(breakProblems(['一二三四（', '五六）'], 10)).toHaveLength(1);
  });
});
