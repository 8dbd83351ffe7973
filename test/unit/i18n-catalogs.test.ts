import { describe, expect, it } from 'vitest';
import { checkCatalog } from '../../src/i18n/checkMessages.js';
import { cliCatalog, tcli, type CliMessageKey } from '../../src/i18n/cliMessages.js';
import { dashboardCatalog } from '../../src/i18n/dashboardMessages.js';
import { doctorCatalog } from '../../src/i18n/doctorMessages.js';
import { labCatalog } from '../../src/i18n/labMessages.js';
import { sandboxCatalog } from '../../src/i18n/sandboxMessages.js';
import { LANGS } from '../../src/i18n/lang.js';
import { missingKeys, tidyCjk, type Catalog } from '../../src/i18n/translate.js';
import { uiCatalog } from '../../src/i18n/uiMessages.js';
import { PACKET_MESSAGES } from '../../src/packets/messages.js';

// Every message the command line and the interface print exists in every language, with the
// same placeholders (a `{name}` missing from a translation would silently drop a value).
const catalogs: [string, Catalog<string>][] = [
  ['cli', cliCatalog],
  ['ui', uiCatalog],
  ['check', checkCatalog],
  ['doctor', doctorCatalog],
  ['packets', PACKET_MESSAGES],
  ['dashboard', dashboardCatalog],
  ['lab', labCatalog],
  ['sandbox', sandboxCatalog],
];
const placeholders = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe.each(catalogs)('the %s messages', (_name, catalog) => {
  for (const lang of LANGS) {
    it(`all exist in ${lang}`, () => {
      expect(missingKeys(catalog, lang)).toEqual([]);
    });
    it(`use the same placeholders in ${lang} as in English`, () => {
      for (const [key, en] of Object.entries(catalog.en))
        expect(placeholders(catalog[lang][key] ?? ''), `${lang}.${key}`).toEqual(placeholders(en));
    });
  }
});

describe('the Chinese command line', () => {
  it("keeps its help's columns: tidying the spaces next to a placeholder never joins two columns", () => {
    for (const key of Object.keys(cliCatalog.en).filter((k) => k.startsWith('help_')))
      expect(tcli('zh', key as CliMessageKey), key).toBe(cliCatalog.zh[key as CliMessageKey]);
  });

  // full-width punctuation in Chinese prose (code, flags and paths stay ASCII)
  const prose = (t: string) =>
    t
      .split('\n')
      .filter((l) => /[\u4e00-\u9fff]/.test(l))
      .map((l) => l.replace(/`[^`]*`/g, '').replace(/"[^"]*"/g, ''));
  it('uses full-width punctuation next to Chinese text', () => {
    for (const [key, zh] of Object.entries(cliCatalog.zh))
      for (const line of prose(zh!)) expect(line, key).not.toMatch(/[\u4e00-\u9fff][,;:!?()]|[,;:!?(][\u4e00-\u9fff]/);
  });
  it('keeps the columns of --help: a single space between Chinese words goes, a run of spaces stays', () => {
    expect(tidyCjk('根网络命名空间 中')).toBe('根网络命名空间中');
    expect(tidyCjk('--commands 文件      像学员输入一样')).toBe('--commands 文件      像学员输入一样');
    const usage = tcli('zh', 'help_main')
      .split('\n')
      .filter((l) => l.startsWith('  ipip-tutor '));
    expect(usage.length).toBeGreaterThan(5);
    const column = (l: string) => l.search(/\S\s{2,}\S/);
    for (const l of usage) expect(column(l), l).toBeGreaterThan(0);
  });
});
