/// <reference lib="dom" />
import { td, type DashboardMessageKey } from '../../../i18n/dashboardMessages.js';
import type { Lang } from '../../../i18n/lang.js';

// The dashboard's language: `?lang=zh|en`, else the browser's.
export function pageLang(): Lang {
  const q = new URL(location.href).searchParams.get('lang');
  if (q === 'zh' || q === 'en') return q;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export type T = (key: DashboardMessageKey, params?: Record<string, string | number>) => string;
export const translatorFor =
  (lang: Lang): T =>
  (key, params) =>
    td(lang, key, params);
