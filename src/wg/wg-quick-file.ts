// Reading a wg-quick file the way wg-quick and wg(8) do: sections
// [Interface] and [Peer], "Key = value" lines with keys in any case, '#'
// to the end of a line is a comment, list values separated by commas, a
// key given twice adds to a list (AllowedIPs, Address, DNS).
import { appendAll } from '../arrays.js';
import { formatIPv4, parseIPv4, parseIPv6 } from '../net.js';

export interface WgQuickSection {
  name: 'Interface' | 'Peer';
  /** Lower-case key → every value, in file order (lists split at commas). */
  values: Map<string, string[]>;
  line: number;
}

export interface WgQuickFile {
  sections: WgQuickSection[];
  /** Lines that are neither a section, a key = value pair, a comment nor blank. */
  problems: string[];
}

const LISTS = new Set(['address', 'dns', 'allowedips']);

export function parseWgQuick(text: string): WgQuickFile {
  const sections: WgQuickSection[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      const name = header[1]!.toLowerCase() === 'interface' ? 'Interface' : header[1]!.toLowerCase() === 'peer' ? 'Peer' : undefined;
      if (!name) problems.push(`line ${i + 1}: unknown section [${header[1]}]`);
      else sections.push({ name, values: new Map(), line: i + 1 });
      return;
    }
    const eq = line.indexOf('=');
    const section = sections.at(-1);
    if (eq < 1 || !section) {
      problems.push(`line ${i + 1}: ${section ? 'not a "Key = value" line' : 'a value before any section'}`);
      return;
    }
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    const values = LISTS.has(key) ? value.split(',').map((v) => v.trim()).filter(Boolean) : [value];
    // Appended in place: a copy per line made a hub's thousands of AllowedIPs lines quadratic.
    const list = section.values.get(key);
    if (list) appendAll(list, values);
    else section.values.set(key, values);
  });
  return { sections, problems };
}

/** The first value of a key in the first section of that kind. */
export function valueOf(file: WgQuickFile, section: 'Interface' | 'Peer', key: string): string | undefined {
  return file.sections.find((s) => s.name === section)?.values.get(key.toLowerCase())?.[0];
}

export function valuesOf(file: WgQuickFile, section: 'Interface' | 'Peer', key: string): string[] {
  return file.sections.find((s) => s.name === section)?.values.get(key.toLowerCase()) ?? [];
}

/**
 * A value of Address, AllowedIPs (`network`: with a prefix length) or DNS as the tools read it, to compare two files'
 * or a file's and the running tunnel's: the address in its compact form (wg(8) and wg-quick read it with
 * inet_pton, and `wg show` prints it with inet_ntop: "0::/0" and "::0/0" are "::/0"), a network without a prefix
 * length a host, /32 or /128 (wireguard-tools src/config.c parse_allowedips(); wireguard-windows conf/parser.go
 * parseIPCidr() for Address and AllowedIPs alike). Anything else (a DNS search domain, a prefix length with a
 * leading zero, which Go's netip.ParsePrefix refuses) as written.
 */
export function listValueKey(value: string, network: boolean): string {
  const slash = value.indexOf('/');
  const text = slash < 0 ? value : value.slice(0, slash);
  const bits = slash < 0 ? undefined : value.slice(slash + 1);
  if (bits !== undefined && (!network || !/^(0|[1-9]\d{0,2})$/.test(bits))) return value;
  const v4 = parseIPv4(text);
  const v6 = v4 === undefined && text.includes(':') ? parseIPv6(text) : undefined;
  if (v4 === undefined && v6 === undefined) return value;
  const max = v4 === undefined ? 128 : 32;
  if (bits !== undefined && Number(bits) > max) return value;
  const address = v4 === undefined ? v6!.toString() : formatIPv4(v4);
  return network ? `${address}/${bits ?? max}` : address;
}
