// Quiz answers compared as a person means them, not as they typed them: case, full-width
// forms (NFKC: `ＤＯＷＮ`, `，`, `；`), the ideographic comma and full stop, list separators
// (`,`, `、`, `和`, `and`), spaces (around punctuation and between CJK and ASCII) and a unit
// after a number (`20B`, `20 bytes`, `20 字节`, `5种`, `1条`) do not matter; anything else does.
const UNITS = ['bytes', 'byte', 'b', '字节', '个字节', '个', '种', '条', '跳', '次', 'hops', 'hop'];
const unitAfterNumber = new RegExp(`(\\d)\\s*(?:${UNITS.join('|')})(?=$|[,;])`, 'g');
const CJK = '\\p{Script=Han}';

export function normaliseAnswer(input: string): string {
  let s = input.normalize('NFKC').toLowerCase();
  s = s
    .replace(/[、，]/g, ',')
    .replace(/。/g, '.')
    .replace(/[“”"'‘’`]/g, '');
  s = s.replace(/\s+(?:and|&)\s+|\s*和\s*/g, ',');
  s = s.replace(/\s*([,;:/=()])\s*/g, '$1');
  s = s.replace(new RegExp(`(${CJK})\\s+(?=[\\p{L}\\p{N}])|([\\p{L}\\p{N}])\\s+(?=${CJK})`, 'gu'), '$1$2');
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/[.!?。]+$/u, '');
  s = s.replace(unitAfterNumber, '$1');
  return s;
}

/** The accepted answer the input means, if any. */
export function matchAnswer(input: string, accepted: readonly string[]): string | undefined {
  const n = normaliseAnswer(input);
  return n ? accepted.find((a) => normaliseAnswer(a) === n) : undefined;
}
