import { FALLBACK_LANG, type Lang } from './lang.js';

// A catalog maps a key to a template per language; `{name}` placeholders are filled from params.
export type Catalog<K extends string> = Record<Lang, Partial<Record<K, string>>> & { en: Record<K, string> };
export type Params = Record<string, string | number>;

export function format(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/**
 * Chinese prose has no space between two Chinese characters, nor next to full-width punctuation;
 * templates put spaces around their placeholders (for ASCII names), which a Chinese name like
 * 根网络命名空间 then does not want. Only a single space goes: two or more align columns (`--help`).
 */
export function tidyCjk(text: string): string {
  return text.replace(/([\p{Script=Han}\u3000-\u303f\uff00-\uffef]) (?=[\p{Script=Han}\u3000-\u303f\uff00-\uffef])/gu, '$1');
}

export function translator<K extends string>(catalog: Catalog<K>) {
  return (lang: Lang, key: K, params?: Params): string => {
    const text = format(catalog[lang]?.[key] ?? (catalog[FALLBACK_LANG][key] as string), params);
    return lang === 'zh' ? tidyCjk(text) : text;
  };
}

/** Keys present in English but missing in another language (reported by lint). */
export function missingKeys<K extends string>(catalog: Catalog<K>, lang: Lang): K[] {
  return (Object.keys(catalog.en) as K[]).filter((k) => catalog[lang]?.[k] === undefined);
}
