// A token bucket per socket: `burst` messages at once, refilled at `ratePerSec`. Shared by the
// learners' socket and the lab's browser socket.
export function tokenBucket(ratePerSec: number, burst: number): (now?: number) => boolean {
  let tokens = burst;
  let last = Date.now();
  /** Take one token; false when the sender is over its rate. */
  return (now = Date.now()) => {
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * ratePerSec);
    last = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
}
