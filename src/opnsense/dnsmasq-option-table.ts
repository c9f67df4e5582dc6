// What dnsmasq knows of each DHCP option number: its table of options
// (dhcp-common.c opttab for DHCPv4, opttab6 for DHCPv6), by which it reads
// the value of a dhcp-option= or dhcp-match= line (option.c
// parse_dhcp_opt(), through lookup_dhcp_len(): the first entry of the
// number). Only the kinds that decide how a value is read are kept: a list of
// addresses (OT_ADDR_LIST), a name (OT_NAME), a list of domain names
// (OT_RFC1035_NAME), a list of strings (OT_CSTRING), a time (OT_TIME). A
// number not here takes any value dnsmasq can read as a number, hex,
// addresses or a string. Entries are as at dnsmasq 2.90 (Debian's, which the
// real-tool tests run) and 2.91; `since` marks those added later, which count
// from that version on (2.92 added 91, 92 and 114 to DHCPv4, 103 to DHCPv6).
// dnsmasq-source.test.ts compares this with dhcp-common.c at each version the
// releases install.
import { dnsmasqAtLeast } from './dnsmasq-version.js';

/** How dnsmasq reads an option's value (dhcp-common.c OT_* flags). */
export type OptionKind = 'addresses' | 'name' | 'domains' | 'strings' | 'time';

type Entries = readonly (number | readonly [code: number, since: string])[];

/** The option numbers of each kind, per family, with the dnsmasq version an entry first appears in. */
const TABLE: Record<4 | 6, Record<OptionKind, Entries>> = {
  4: {
    addresses: [1, 3, 6, 7, 9, 16, 21, 28, 32, 33, 41, 42, 44, 45, 48, 49, 50, 54, 65, 68, 69, 70, 71, 74, [92, '2.92'], 150, 255],
    name: [12, 15, 17, 18, 40, 64, 66, 67, 100, 101, [114, '2.92']],
    domains: [119],
    strings: [],
    time: [51, 58, 59, [91, '2.92']],
  },
  6: {
    addresses: [22, 23, 27, 28, 31],
    name: [41, 42, 59, [103, '2.92']],
    domains: [21, 24, 29, 30, 39],
    strings: [15, 16, 60],
    time: [32],
  },
};

/** The kind of each option number of `family` that has one at dnsmasq `version`. */
export function optionKinds(family: 4 | 6, version: string): ReadonlyMap<number, OptionKind> {
  const out = new Map<number, OptionKind>();
  for (const [kind, entries] of Object.entries(TABLE[family]) as [OptionKind, Entries][]) {
    for (const entry of entries) {
      const [code, since] = typeof entry === 'number' ? [entry, undefined] : entry;
      if (since === undefined || dnsmasqAtLeast(version, since)) out.set(code, kind);
    }
  }
  return out;
}
