// A reader for wg-quick files in tests: sections in order, each a map of
// key → value, comments dropped the way wg drops them.
export interface Section {
  name: string;
  values: Record<string, string>;
}

export function parseWgQuick(text: string): Section[] {
  const sections: Section[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      sections.push({ name: header[1]!, values: {} });
      continue;
    }
    const pair = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (!pair || sections.length === 0) throw new Error(`not a wg-quick line: ${raw}`);
    const values = sections[sections.length - 1]!.values;
    if (pair[1]! in values) throw new Error(`duplicate ${pair[1]}`);
    values[pair[1]!] = pair[2]!;
  }
  return sections;
}
