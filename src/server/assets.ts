import { readFileSync } from 'node:fs';

// The dashboard's page, script and style, built by `npm run build` into dist/web/ (src/build/bundle.ts).
// This file sits two levels below the package root, as its bundled chunk does in dist/, so the
// same relative URL finds dist/web from the sources (tests) and from the package.
const WEB = new URL('../../dist/web/', import.meta.url);

const cache = new Map<string, string>();

/** A built asset's text; fails loudly when the build is missing. */
export function webAsset(
  name: 'dashboard.html' | 'dashboard.js' | 'dashboard.css' | 'lab.html' | 'lab.js' | 'lab.css' | 'xterm.css',
): string {
  let text = cache.get(name);
  if (text === undefined) {
    try {
      text = readFileSync(new URL(name, WEB), 'utf8');
    } catch {
      throw new Error(`the dashboard is not built (${new URL(name, WEB).pathname} is missing): run \`npm run build\``);
    }
    cache.set(name, text);
  }
  return text;
}
