import { SHIM_DIR } from './defaults.js';

// Small scripts placed first on the sandbox's PATH. Inside a sandbox the learner already is
// root, so `sudo` only has to get out of the way; keeping it lets the article's commands run verbatim.
export const SHIMS: Record<string, string> = {
  sudo: `#!/bin/sh
# ipip-tutor: you are already root inside the sandbox; sudo just runs the command.
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break ;;
    -u|-g|-C|-h|-p|-U|-r|-t|-D) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
[ $# -eq 0 ] && { echo "sudo: nothing to run (you are already root in the sandbox)" >&2; exit 1; }
exec "$@"
`,
  // Output goes to a pipe, where tcpdump buffers whole blocks: with -l its lines come as the
  // packets do, interleaved with a ping's as on a terminal. (The host backend replaces it.)
  tcpdump: `#!/bin/sh
self_dir=$(cd "$(dirname "$0")" 2>/dev/null && pwd)
IFS_SAVE=$IFS; IFS=:
for d in $PATH; do
  [ -n "$d" ] && [ "$d" != "$self_dir" ] && [ -x "$d/tcpdump" ] && { IFS=$IFS_SAVE; exec "$d/tcpdump" -l "$@"; }
done
IFS=$IFS_SAVE
echo "tcpdump: not installed (Debian/Ubuntu: apt-get install tcpdump)" >&2
exit 127
`,
};

/** A POSIX shell snippet that writes every shim into SHIM_DIR (run once at sandbox setup). */
export function shimInstallScript(extra: Record<string, string> = {}): string {
  const all = { ...SHIMS, ...extra };
  const parts = [`mkdir -p ${SHIM_DIR}`];
  for (const [name, body] of Object.entries(all)) {
    const marker = `IPIP_TUTOR_EOF_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
    parts.push(`cat > ${SHIM_DIR}/${name} <<'${marker}'\n${body}${marker}\nchmod 755 ${SHIM_DIR}/${name}`);
  }
  return parts.join('\n');
}
