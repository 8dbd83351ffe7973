import type { Lang } from '../../i18n/lang.js';
import { tl } from '../../i18n/labMessages.js';
import { escapeHtml } from '../classroom/escape.js';

// The lab's pages rendered by the server: "the class is full" (instead of a slow lab for
// everybody) and "no such class", each in the reader's language with the other one below.

function page(lang: Lang, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/lab/lab.css"></head>
<body class="notice"><main>${body}</main></body></html>
`;
}

export function fullPage(lang: Lang, max: number, joinUrl: string): string {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const block = (l: Lang) =>
    `<section lang="${l === 'zh' ? 'zh-CN' : 'en'}"><h1>${escapeHtml(tl(l, 'full_title'))}</h1><p>${escapeHtml(
      tl(l, 'full_text', { max, join: joinUrl }),
    )}</p><p><a href="">${escapeHtml(tl(l, 'full_retry'))}</a></p></section>`;
  return page(lang, tl(lang, 'full_title'), `${block(lang)}<hr>${block(other)}`);
}

export function noClassPage(lang: Lang): string {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return page(lang, tl(lang, 'no_class'), `<p>${escapeHtml(tl(lang, 'no_class'))}</p><p>${escapeHtml(tl(other, 'no_class'))}</p>`);
}
