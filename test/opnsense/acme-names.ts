// Alt names of an exact length, joined by "," as the ACME client stores them: for the model's bound on altNames.

/** A host name of `length` characters (at most 253), told apart by `i`: labels of 63 under example.org. */
function hostName(i: number, length: number): string {
  const body = length - '.example.org'.length;
  const chars: string[] = Array.from({ length: body }, (_, k) => (k % 64 === 63 ? '.' : 'a'));
  const head = `h${i}`;
  chars.splice(0, head.length, ...head);
  const name = `${chars.join('')}.example.org`;
  if (name.length !== length || body % 64 === 0 || length > 253) throw new Error(`no host name of ${length} characters`);
  return name;
}

/** Alt names that, joined by ",", take exactly `total` characters. */
export function altNamesOfLength(total: number): string[] {
  const lengths: number[] = [];
  let left = total;
  while (left > 0) {
    const cost = lengths.length === 0 ? 0 : 1;
    const length = Math.min(250, left - cost);
    lengths.push(length);
    left -= length + cost;
  }
  // A last name too short for hostName: take characters from the one before.
  if (lengths.length > 1 && lengths.at(-1)! < 40) {
    lengths[lengths.length - 2]! -= 40;
    lengths[lengths.length - 1]! += 40;
  }
  const names = lengths.map((length, i) => hostName(i, length));
  if (names.join(',').length !== total) throw new Error(`alt names of ${names.join(',').length} characters, not ${total}`);
  return names;
}
