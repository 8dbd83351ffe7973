// Tab completion: the word under the cursor against lesson-relevant words. Pure.

/** Words every lesson uses: commands, `ip` objects and their keywords. */
export const BASE_WORDS = [
  'ip',
  'sudo',
  'ping',
  'tcpdump',
  'route',
  'sysctl',
  'modprobe',
  'lsmod',
  'tutor',
  'flow',
  'netns',
  'link',
  'addr',
  'address',
  'tunnel',
  'neigh',
  'exec',
  'add',
  'del',
  'delete',
  'set',
  'show',
  'list',
  'help',
  'flush',
  'change',
  'dev',
  'peer',
  'name',
  'type',
  'veth',
  'mode',
  'ipip',
  'gre',
  'local',
  'remote',
  'up',
  'down',
  'via',
  'mtu',
  'ttl',
  'default',
  'any',
];

/** `code` spans and code blocks of a step's text: words the learner is told to type. */
export function wordsFromMarkdown(md: string): string[] {
  const code = [...md.matchAll(/```[^\n]*\n([\s\S]*?)```|`([^`\n]+)`/g)].map((m) => m[1] ?? m[2] ?? '');
  return code.flatMap((c) => c.split(/[\s;|&<>(){}[\],]+/)).filter((w) => /^[A-Za-z][\w.@/-]*$/.test(w) && w.length > 1);
}

export interface Completion {
  text: string;
  cursor: number;
  /** more than one word fits: what they are */
  candidates: string[];
}

function commonPrefix(words: string[]): string {
  if (words.length === 0) return '';
  let p = words[0]!;
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}

export function complete(text: string, cursor: number, words: readonly string[]): Completion {
  const before = text.slice(0, cursor);
  const m = /[^\s]*$/.exec(before);
  const partial = m ? m[0] : '';
  const start = cursor - partial.length;
  const unique = [...new Set(words)].sort();
  const hits = unique.filter((w) => w.startsWith(partial) && w !== partial);
  if (partial === '' || hits.length === 0) {
    // an exact word already typed: just add the space
    if (partial && unique.includes(partial) && text[cursor] !== ' ')
      return { text: text.slice(0, cursor) + ' ' + text.slice(cursor), cursor: cursor + 1, candidates: [] };
    return { text, cursor, candidates: partial === '' ? [] : [] };
  }
  if (hits.length === 1) {
    const word = hits[0]! + (text[cursor] === ' ' ? '' : ' ');
    return { text: text.slice(0, start) + word + text.slice(cursor), cursor: start + word.length, candidates: [] };
  }
  const prefix = commonPrefix(hits);
  const exact = unique.includes(partial) ? [partial] : [];
  return {
    text: text.slice(0, start) + prefix + text.slice(cursor),
    cursor: start + prefix.length,
    candidates: [...exact, ...hits],
  };
}
