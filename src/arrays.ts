// Appending without spreading: push(...items) passes every item as an
// argument on the stack, which throws past about 120,000 items, and arrays
// built from a topology get that long (test/core/call-spreads.test.ts keeps
// call spreads out of src/).

/** Appends `items` to `target` in order; returns `target`. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** Adds `item` to the list `lists` holds under `key` (a new list for a new key). */
export function addToList<K, T>(lists: Map<K, T[]>, key: K, item: T): void {
  const list = lists.get(key);
  if (list) list.push(item);
  else lists.set(key, [item]);
}
