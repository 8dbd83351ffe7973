// `npm run build`: bundle each entry point with its dependencies into dist/, so a start reads a
// few files instead of resolving hundreds of modules (about 1 s of a 2 s first frame here).
// Shared code goes to dist/chunks/; dynamic imports stay lazy chunks, so `play` never loads ink.
// Every entry and chunk sits two levels below the package root, as its source does under src/,
// so the `new URL('../../lessons', import.meta.url)` paths mean the same in src/ and dist/.
import { chmodSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { build, type Plugin } from 'esbuild';
import { makeSeed } from '../course/courseCache.js';
import { loadCourse } from '../course/load.js';
import { buildGuestAgent } from './guestAgent.js';

const root = new URL('../../', import.meta.url);
const at = (p: string) => new URL(p, root).pathname;

// Bundle-only stand-ins for two dependencies of marked-terminal that cost start time and do
// nothing for the tutor (each file says why). Exact names only: the stand-ins load subpaths.
const STAND_INS: Record<string, string> = {
  'highlight.js': 'src/build/standins/highlightShell.cjs',
  'node-emoji': 'src/build/standins/noEmoji.ts',
};
const standIns: Plugin = {
  name: 'stand-ins',
  setup(b) {
    b.onResolve({ filter: /^(highlight\.js|node-emoji)$/ }, (a) => ({ path: at(STAND_INS[a.path]!) }));
  },
};

// Source maps only on request (IPIP_TUTOR_SOURCEMAP=1 npm run build; run with node --enable-source-maps):
// Node reads them only with that flag, and they are most of the package's size.
const sourcemap = process.env.IPIP_TUTOR_SOURCEMAP === '1';

rmSync(at('dist'), { recursive: true, force: true });
await build({
  absWorkingDir: at('.'),
  entryPoints: {
    'cli/main': 'src/cli/main.ts',
    'bench/main': 'src/bench/main.ts',
    'bench/echo': 'src/bench/echoServer.ts',
    // one browser-lab attendee's tutor, a process of its own (src/server/lab/worker.ts)
    'server/labWorker': 'src/server/lab/worker.ts',
  },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap,
  logLevel: 'warning',
  // CommonJS dependencies bundled into ESM still call require() for Node's own modules and read
  // __filename (write-file-atomic names its temporary files by it).
  banner: {
    js: [
      "import { createRequire as __tutorCreateRequire } from 'node:module';",
      "import { fileURLToPath as __tutorFileURLToPath } from 'node:url';",
      'const require = __tutorCreateRequire(import.meta.url);',
      'const __filename = __tutorFileURLToPath(import.meta.url);',
    ].join(' '),
  },
  define: { 'process.env.NODE_ENV': '"production"' },
  // react-devtools-core: only loaded by ink when DEV=true, never shipped. better-sqlite3: native, the
  // classroom server's store, loaded by `classroom` alone (an optional peer: a learner installs nothing
  // native). bufferutil, utf-8-validate: ws's optional native speed-ups, which it does without.
  external: ['react-devtools-core', 'better-sqlite3', 'bufferutil', 'utf-8-validate'],
  plugins: [standIns],
});

// The browser pages, served by the classroom server itself (no CDN): the classroom dashboard, and
// the browser lab's page with xterm.js bundled in.
await build({
  absWorkingDir: at('.'),
  entryPoints: { dashboard: 'src/server/web/dashboard/main.ts', lab: 'src/server/web/lab/main.ts' },
  outdir: 'dist/web',
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome110',
  minify: true,
  sourcemap,
  logLevel: 'warning',
});
for (const page of ['dashboard', 'lab'])
  for (const ext of ['html', 'css']) copyFileSync(at(`src/server/web/${page}/${page}.${ext}`), at(`dist/web/${page}.${ext}`));
copyFileSync(at('node_modules/@xterm/xterm/css/xterm.css'), at('dist/web/xterm.css'));

// The command a learner runs: esbuild keeps its `#!/usr/bin/env node` line. (An earlier launcher
// line that restarted node without NODE_EXTRA_CA_CERTS saved 65 ms only where that variable is
// set, and nothing on an ordinary machine: measured 60.7 vs 61.6 ms without it.)
chmodSync(at('dist/cli/main.js'), 0o755);

buildGuestAgent();

// The shipped course, validated now, so a learner's first start does not parse it either.
writeFileSync(at('dist/course-seed.json'), JSON.stringify(makeSeed(loadCourse(at('lessons')))));

// Written last: what `npm start` compares the sources with (src/build/fresh.sh).
writeFileSync(at('dist/.built'), `${new Date().toISOString()}\n`);
