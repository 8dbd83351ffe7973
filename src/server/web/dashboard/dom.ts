/// <reference lib="dom" />
// The dashboard builds its DOM with these two helpers only: every piece of data becomes a text
// node (textContent), never markup, so a learner's name or a check's reason cannot inject anything.

type Attrs = Record<string, string | boolean | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...kids: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false) el.setAttribute(k, v);
  }
  for (const kid of kids) if (kid !== null) el.append(typeof kid === 'string' ? document.createTextNode(kid) : kid);
  return el;
}

/** Replace an element's children. */
export function fill(el: Element, ...kids: (Node | string | null)[]): void {
  el.replaceChildren(...kids.filter((k): k is Node | string => k !== null));
}

/** Set text only when it changed (200 tiles re-rendered often). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
