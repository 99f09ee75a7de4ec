// A binary min-heap by `at`: the records waiting out a backoff, soonest first.
export class TimeHeap<T> {
  private items: { at: number; value: T }[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): number | undefined {
    return this.items[0]?.at;
  }
  push(at: number, value: T): void {
    const items = this.items;
    items.push({ at, value });
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.at <= items[i]!.at) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }
  /** Removes and returns the soonest item if it is due by `now`. */
  popDue(now: number): T | undefined {
    const items = this.items;
    if (items.length === 0 || items[0]!.at > now) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && items[l]!.at < items[m]!.at) m = l;
        if (r < items.length && items[r]!.at < items[m]!.at) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i]!, items[m]!];
        i = m;
      }
    }
    return top.value;
  }
}
