#!/bin/sh
# `npm start` and `npm run bench` run the bundle in dist/; this bundles first only when dist/ is
# missing or a source of it (src/, lessons/, package.json, the lock file) is newer than the last
# build. Bundling takes a few seconds; checking takes a few milliseconds. Type checking is
# `npm run typecheck` (part of `npm test`), not part of a start.
cd "$(dirname "$0")/../.." || exit 1
if [ ! -e dist/.built ] || [ -n "$(find src lessons package.json package-lock.json -newer dist/.built -print 2>/dev/null | head -n 1)" ]; then
  node_modules/.bin/tsx src/build/bundle.ts || exit 1
fi
