// The languages every text exists in. English is the fallback for anything missing.
export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];
export const FALLBACK_LANG: Lang = 'en';

export function isLang(s: string | undefined): s is Lang {
  return s !== undefined && (LANGS as readonly string[]).includes(s);
}

/** Default language from the locale variables, in POSIX precedence order. */
export function langFromEnv(env: NodeJS.ProcessEnv = process.env): Lang {
  for (const v of [env.LC_ALL, env.LC_MESSAGES, env.LANG]) {
    if (!v) continue;
    if (/^zh/i.test(v)) return 'zh';
    if (v !== 'C' && v !== 'POSIX') return 'en';
  }
  return 'en';
}
