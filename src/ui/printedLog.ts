import type { Controller } from '../engine/controller.js';
import type { LogItem } from '../engine/events.js';

// What ink's <Static> has printed: it prints by index, so this array only ever grows, and the
// content of entries long scrolled away is dropped to keep memory flat in a long session.
export type PrintedItem = LogItem | { seq: number; kind: 'gone' };

const KEEP = 400;

export class PrintedLog {
  private items: PrintedItem[];
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: () => void;

  constructor(controller: Controller) {
    this.items = [...controller.getView().log];
    this.unsubscribe = controller.subscribe(() => this.take(controller.getView().log));
  }

  private take(log: readonly LogItem[]): void {
    const last = this.items.at(-1)?.seq ?? -1;
    const fresh = log.filter((i) => i.seq > last);
    if (fresh.length === 0) return;
    const all = [...this.items, ...fresh];
    this.items =
      all.length > KEEP * 2
        ? all.map((e, i) => (i < all.length - KEEP && e.kind !== 'gone' ? { seq: e.seq, kind: 'gone' as const } : e))
        : all;
    for (const l of this.listeners) l();
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  getSnapshot = (): PrintedItem[] => this.items;

  dispose(): void {
    this.unsubscribe();
  }
}
