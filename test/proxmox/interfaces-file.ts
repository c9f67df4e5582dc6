// A reader for /etc/network/interfaces in tests: stanzas with their options
// in order, `auto` lines, `source` lines and comments.
export interface Stanza {
  name: string;
  family: string;
  method: string;
  options: [string, string][];
  comments: string[];
}

export interface InterfacesFile {
  auto: string[];
  stanzas: Map<string, Stanza>;
  sources: string[];
}

export function parseInterfaces(text: string): InterfacesFile {
  const file: InterfacesFile = { auto: [], stanzas: new Map(), sources: [] };
  let current: Stanza | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('#')) {
      current?.comments.push(line.slice(1));
      continue;
    }
    const words = line.trim().split(/\s+/);
    if (/^\s/.test(line)) {
      if (!current) throw new Error(`option outside a stanza: ${line}`);
      current.options.push([words[0]!, words.slice(1).join(' ')]);
      continue;
    }
    current = undefined;
    if (words[0] === 'auto') file.auto.push(...words.slice(1));
    else if (words[0] === 'source') file.sources.push(words.slice(1).join(' '));
    else if (words[0] === 'iface') {
      current = { name: words[1]!, family: words[2]!, method: words[3]!, options: [], comments: [] };
      file.stanzas.set(current.name, current);
    } else throw new Error(`unknown line: ${line}`);
  }
  return file;
}

export function option(stanza: Stanza | undefined, key: string): string[] {
  return (stanza?.options ?? []).filter(([k]) => k === key).map(([, v]) => v);
}
