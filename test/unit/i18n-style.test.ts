import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkCatalog } from '../../src/i18n/checkMessages.js';
import { cliCatalog } from '../../src/i18n/cliMessages.js';
import { dashboardCatalog } from '../../src/i18n/dashboardMessages.js';
import { doctorCatalog } from '../../src/i18n/doctorMessages.js';
import { labCatalog } from '../../src/i18n/labMessages.js';
import { sandboxCatalog } from '../../src/i18n/sandboxMessages.js';
import { uiCatalog } from '../../src/i18n/uiMessages.js';
import { PACKET_MESSAGES } from '../../src/packets/messages.js';
import { catalogProblems, readGlossary, type MessageCatalog } from '../helpers/style.js';

// Every message the product prints itself (command line, REPL, checks, doctor, packet views, dashboard)
// follows the house style of lessons/README.md in both languages, as the lesson texts do:
// each key in both languages with the same placeholders, full-width punctuation and CJK/Latin
// spacing in Chinese, the glossary's terms and none of the words it avoids, no Chinese in English.

const glossary = readGlossary(readFileSync('lessons/README.md', 'utf8'));

const catalogs: [string, MessageCatalog, string[]][] = [
  ['cli', cliCatalog, []],
  ['ui', uiCatalog, ['key_lang']], // "switch language (English / 中文)": each language named in its own script
  ['check', checkCatalog, []],
  ['doctor', doctorCatalog, []],
  ['packets', PACKET_MESSAGES, []],
  ['dashboard', dashboardCatalog, []],
  ['lab', labCatalog, []],
  ['sandbox', sandboxCatalog, []],
];

describe.each(catalogs)('the %s catalog', (_name, catalog, allow) => {
  it('follows the house style in both languages', () => {
    expect(catalogProblems(catalog, glossary, allow)).toEqual([]);
  });
});

describe('the catalog style check catches what it is for', () => {
  const planted: MessageCatalog = {
    en: {
      missing: 'no translation',
      moved: 'lost in {ns}',
      halfWidth: 'is the module loaded?',
      glued: 'in {ns}',
      avoided: 'the interface is down',
      chinese: 'encapsulate (封装) it',
      term: 'the packet is lost',
      fine: 'run `ip link`, then read {dev}: done',
    },
    zh: {
      moved: '在 {name} 中丢失',
      halfWidth: '模块加载了吗?',
      glued: '在{ns}中',
      avoided: '网卡处于 DOWN 状态',
      chinese: '封装它',
      term: '丢了一个包',
      fine: '运行 `ip link`，然后查看 {dev}：完成',
    },
  };
  const problems = catalogProblems(planted, glossary);
  const of = (key: string) => problems.filter((p) => p.startsWith(`${key}:`));

  it('flags each planted violation, and only those', () => {
    expect(of('missing')).toEqual(['missing: no Chinese']);
    expect(of('moved')[0]).toMatch(/placeholders \{ns\} in English, \{name\} in Chinese/);
    expect(of('halfWidth')[0]).toMatch(/half-width punctuation/);
    expect(of('glued')[0]).toMatch(/no space between a Chinese character and Latin text or code/);
    expect(of('avoided')).toContainEqual(expect.stringMatching(/"网卡"/));
    expect(of('chinese')[0]).toMatch(/Chinese in English prose/);
    expect(of('term')[0]).toMatch(/"packet" but none of 报文/);
    expect(of('fine')).toEqual([]);
  });

  it('checks the phrases of a usage text column by column, leaving commands and flags alone', () => {
    const usage: MessageCatalog = {
      en: { help: 'Usage:\n  -b, --backend auto|host|uml   where commands run (default auto)' },
      zh: { help: '用法：\n  -b, --backend auto|host|uml   命令在哪里运行(默认 auto)' },
    };
    expect(catalogProblems(usage, glossary)).toEqual([expect.stringMatching(/^help: half-width punctuation/)]);
  });
});
