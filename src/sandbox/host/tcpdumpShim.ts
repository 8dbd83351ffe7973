import { HOST_DIR_INSIDE } from '../defaults.js';

// The `tcpdump` on the host sandbox's PATH (a POSIX sh script; pure text here). Debian's
// tcpdump cannot run inside a user namespace (it always drops privileges and initgroups() is
// refused there), so this one hands its command line to the tutor's relay (tcpdumpRelay.ts)
// through FIFOs in the sandbox's host directory, and does what the relay's plan says: dumpcap
// captures here (or a file is read here), the real tcpdump prints outside, and its output comes
// back on this script's stdout and stderr, so pipes, `&`, -c and Ctrl-C behave as with tcpdump.
//
// Files per call, all `$b.*` in the host directory: the command line ($b itself, NUL-separated),
// FIFOs plan (relay -> here), pcap (here -> relay), out and err (the real tcpdump's output), st
// (its exit status), and plain files dev (the interface picked when -i is missing), dc
// (dumpcap's messages, which the relay turns into tcpdump's) and int (present once interrupted).

export const RELAY_CTL = 'tcpdump.ctl';

export function tcpdumpShim(hostDir: string = HOST_DIR_INSIDE): string {
  return `#!/bin/sh
# ipip-tutor: tcpdump for this sandbox (generated). dumpcap captures here; the real tcpdump prints
# outside the sandbox, because it cannot start inside a user namespace.
H=${hostDir}
# Started in the background by a script, sh ignores SIGINT and cannot trap it; tcpdump would
# still stop at kill -INT. So start once more with SIGINT at its default.
if [ -z "$IPIP_TUTOR_TCPDUMP" ] && env --default-signal=INT true 2>/dev/null; then
  IPIP_TUTOR_TCPDUMP=1 exec env --default-signal=INT sh "$0" "$@"
fi
# Ctrl-C (or kill -INT/-TERM): dumpcap stops and says how much it captured; a file read stops.
b= c= dc= mode=
on_signal() {
  [ -n "$b" ] && : > "$b.int"
  case $mode in
  capture) [ -z "$dc" ] && [ -f "$b.pid" ] && dc=$(cat "$b.pid"); [ -n "$dc" ] && kill -INT "$dc" 2>/dev/null ;;
  read) [ -n "$c" ] && kill "$c" 2>/dev/null ;;
  esac
}
trap on_signal INT TERM
if [ ! -p "$H/${RELAY_CTL}" ]; then
  echo "tcpdump: the tutor's tcpdump relay is not running in this sandbox; restart the tutor" >&2
  exit 1
fi
b=$(mktemp "$H/td-XXXXXXXX") || exit 1
cleanup() { rm -f "$b" "$b".*; }
mkfifo "$b.plan" "$b.pcap" "$b.out" "$b.err" "$b.st" || { cleanup; exit 1; }
[ $# -eq 0 ] || printf '%s\\0' "$@" > "$b"
exec 4<&0
cat "$b.out" & o=$!
cat "$b.err" >&2 & e=$!
cat "$b.st" > "$b.code" & s=$!
exec 3<>"$b.pcap"
echo "\${b##*/}" > "$H/${RELAY_CTL}"
plan=$(cat "$b.plan")
mode=none
eval "$plan"
# Wait for a child even while signals arrive (wait returns early when a trapped signal comes in).
waitfor() { while :; do wait "$1"; r=$?; [ "$r" -gt 128 ] && kill -0 "$1" 2>/dev/null && continue; return "$r"; done; }
no_dumpcap() {
  echo "tcpdump: cannot capture in this sandbox: dumpcap is not installed." >&2
  echo "  Install it on this machine: sudo apt-get install tshark   (or wireshark-common, which has dumpcap)" >&2
  echo "  or run the tutor with --backend uml, whose kernel has a real tcpdump." >&2
}
code=
case $mode in
capture)
  if ! command -v dumpcap >/dev/null 2>&1; then
    no_dumpcap; code=127
  else
    if [ -z "$dev" ]; then
      # tcpdump without -i takes the first interface that is not a loopback
      dev=$(dumpcap -D 2>/dev/null | sed -n '/Loopback/d; s/^[0-9]*\\. \\([^ ]*\\).*/\\1/p' | head -n 1)
      printf '%s' "$dev" > "$b.dev"
      set -- -i "$dev" "$@"
    fi
    if [ -z "$wfile" ]; then
      dumpcap "$@" >&3 2>"$b.dc" & c=$!; dc=$c
    elif [ "$wfile" = - ]; then
      { dumpcap "$@" 2>"$b.dc" & echo $! > "$b.pid"; wait $!; } | tee /dev/fd/3 & c=$!
    elif ( : > "$wfile" ) 2>/dev/null; then
      { dumpcap "$@" 2>"$b.dc" & echo $! > "$b.pid"; wait $!; } | tee -- "$wfile" >&3 & c=$!
    elif [ -d "$(dirname -- "$wfile")" ]; then
      echo "tcpdump: $wfile: Permission denied" >&2; code=1
    else
      echo "tcpdump: $wfile: No such file or directory" >&2; code=1
    fi
  fi ;;
read)
  if [ "$rfile" = - ]; then
    cat <&4 >&3 & c=$!
  elif [ ! -e "$rfile" ]; then
    echo "tcpdump: $rfile: No such file or directory" >&2; code=1
  elif [ -d "$rfile" ]; then
    echo "tcpdump: $rfile: Is a directory" >&2; code=1
  elif [ ! -r "$rfile" ]; then
    echo "tcpdump: $rfile: Permission denied" >&2; code=1
  else
    cat -- "$rfile" >&3 & c=$!
  fi ;;
list)
  exec 3>&-
  if command -v dumpcap >/dev/null 2>&1; then
    dumpcap "$@" 2>&1 | sed 's/^\\([0-9]*\\)\\. /\\1./; s/^Data link types of interface /Data link types for /'
    code=0
  else
    no_dumpcap; code=127
  fi ;;
esac
exec 3>&- 4<&-
waitfor "$o"; ro=$?
[ -n "$c" ] && { kill "$c" 2>/dev/null; waitfor "$c"; }
# the reader of our output went away (| head): end as tcpdump does then, silently
[ "$ro" -eq 141 ] && { kill "$e" "$s" 2>/dev/null; cleanup; exit 141; }
waitfor "$e"
waitfor "$s"
[ -n "$code" ] || code=$(cat "$b.code" 2>/dev/null)
cleanup
exit "\${code:-1}"
`;
}
