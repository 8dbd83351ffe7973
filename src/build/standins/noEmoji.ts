// Bundles only (see src/build/bundle.ts): stands in for `node-emoji`, which marked-terminal
// imports with its 313 KiB emoji table even though the tutor renders with `emoji: false`, so
// the one function it would call is never reached.
export function get(_name: string): string | undefined {
  return undefined;
}
