// Appending without spreading: push(...items) passes every item as an
// argument on the stack, which throws past about 120,000 items, and arrays
// built from a topology get that long (test/core/call-spreads.test.ts keeps
// call spreads out of src/).

/**
 * Appends `items` to `target` in order; returns `target`. An array is
 * walked by index: a for-of steps an iterator, an object per item, until
 * V8 optimizes the loop, and gen's walks of every peer, rule or name run
 * once, mostly before it does (a cold for-of over 30,000 items took 10 ms,
 * an indexed loop 4 ms).
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  if (Array.isArray(items)) {
    for (let i = 0; i < items.length; i++) target.push(items[i] as T);
    return target;
  }
  for (const item of items) target.push(item);
  return target;
}

/** Adds `item` to the list `lists` holds under `key` (a new list for a new key). */
export function addToList<K, T>(lists: Map<K, T[]>, key: K, item: T): void {
  const list = lists.get(key);
  if (list) list.push(item);
  else lists.set(key, [item]);
}

/** The index of the first of `sorted` (ascending) at or after `value`, by binary search; its length if none. */
export function firstAtOrAfter(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
