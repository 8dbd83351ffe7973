// The languages every text exists in. English is the fallback for anything missing.
export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];
export const FALLBACK_LANG: Lang = 'en';

export function isLang(s: string | undefined): s is Lang {
  return s !== undefined && (LANGS as readonly string[]).includes(s);
}

const ofLocale = (v: string): Lang | null => (/^zh/i.test(v) ? 'zh' : /^en/i.test(v) ? 'en' : null);

/**
 * Default language from the environment, as gettext reads it: LANGUAGE (a list such as
 * `zh_CN:en`, first one we have wins), then LC_ALL, LC_MESSAGES, LANG. Like gettext, a locale
 * set to C or POSIX means untranslated (scripts set LC_ALL=C for that) and LANGUAGE is not read.
 */
export function langFromEnv(env: NodeJS.ProcessEnv = process.env): Lang {
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v);
  if (locale === 'C' || locale === 'POSIX') return 'en';
  for (const v of (env.LANGUAGE ?? '').split(':')) {
    const l = v && ofLocale(v);
    if (l) return l;
  }
  if (!locale) return 'en';
  return ofLocale(locale) ?? 'en';
}
