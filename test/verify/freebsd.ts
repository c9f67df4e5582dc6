// What the firewall's tools print, in FreeBSD's and OPNsense's formats,
// for a box in a given state: the outputs the verification script reads.
// - ifconfig: "<dev>: flags=<hex><FLAGS> metric 0 mtu N", then tab-indented
//   "inet A netmask 0xMASK [broadcast B]", "groups: …" (sbin/ifconfig);
//   OPNsense reads the first line the same way (scripts/wireguard/wg_show.py).
// - wg show: one public key per line (peers), "KEY<TAB>IP/32 …" (allowed-ips),
//   the port (listen-port) (wireguard-tools wg(8), FreeBSD base /usr/bin/wg).
// - sockstat -l -4 -6: columns USER COMMAND PID FD PROTO LOCAL FOREIGN at
//   positions 0, 9, 20, 26, 30, 37, 59; a kernel socket (if_wg) shows "?" in
//   the first four (usr.bin/sockstat/sockstat.c display(), displaysock()).
// - pfctl -sr: scrub rules, then filter rules, each ending with its labels
//   (sbin/pfctl/pfctl_parser.c print_rule()).
// - pfctl -t NAME -T show: one table entry a line, "%c %c%s" (feedback
//   flag, "!" or " ", inet_ntop()), then "/N" below /32 (/128), in pf's
//   radix-tree order; "pfctl: Table does not exist." for an unknown table
//   (sbin/pfctl/pfctl_table.c print_addrx(), pfctl.c pf_strerror()).
// - route -n get: "   route to:", "destination:", "gateway:", "interface:" lines.
// - rules.debug: what OPNsense compiled, `… label "X" # description`.
// - pluginctl -g PATH: the config value and a newline.

import { formatIPv4, parseIPv4 } from '../../src/net.js';

export interface IfState {
  flags: string[];
  mtu: number;
  inet: [address: string, maskHex: string, broadcast?: string][];
  groups?: string[];
  ether?: string;
  description?: string;
}

const FLAG_BITS: Record<string, number> = { UP: 0x1, BROADCAST: 0x2, RUNNING: 0x40, NOARP: 0x80, SIMPLEX: 0x800, MULTICAST: 0x8000, LOWER_UP: 0x1000000 };

export function ifconfig(device: string, s: IfState): string {
  const bits = s.flags.reduce((n, f) => n | (FLAG_BITS[f] ?? 0), 0);
  const lines = [`${device}: flags=${bits.toString(16)}<${s.flags.join(',')}> metric 0 mtu ${s.mtu}`];
  if (s.description) lines.push(`\tdescription: ${s.description}`);
  lines.push(device.startsWith('wg') ? '\toptions=80000<LINKSTATE>' : '\toptions=800a8<VLAN_MTU,JUMBO_MTU,VLAN_HWCSUM,LINKSTATE>');
  if (s.ether) lines.push(`\tether ${s.ether}`);
  for (const [address, mask, broadcast] of s.inet) lines.push(`\tinet ${address} netmask ${mask}${broadcast ? ` broadcast ${broadcast}` : ''}`);
  if (s.groups?.length) lines.push(`\tgroups: ${s.groups.join(' ')}`);
  if (!device.startsWith('wg')) lines.push('\tmedia: Ethernet autoselect (10Gbase-T <full-duplex>)', '\tstatus: active');
  lines.push(device.startsWith('wg') ? '\tnd6 options=109<PERFORMNUD,IFDISABLED,NO_DAD>' : '\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>');
  return `${lines.join('\n')}\n`;
}

export interface Socket {
  user: string;
  command: string;
  pid: string;
  fd: string;
  proto: string;
  local: string;
  foreign: string;
}

function column(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

export function sockstat(sockets: readonly Socket[]): string {
  const header = `${'USER'.padEnd(8)} ${'COMMAND'.padEnd(10)} ${'PID'.padEnd(5)} ${'FD'.padEnd(3)} ${'PROTO'.padEnd(6)} ${'LOCAL ADDRESS'.padEnd(21)} ${'FOREIGN ADDRESS'.padEnd(21)}`;
  const rows = sockets.map((s) => {
    const user = column(s.user, 9) + column(s.command.slice(0, 10), 11);
    const pid = s.pid === '?' ? '?'.padEnd(5) : s.pid.padStart(5);
    const left = `${user}${pid} ${s.fd.padEnd(3)} `;
    return `${column(left, 30)}${column(s.proto, 7)}${column(s.local, 22)}${s.foreign}`;
  });
  return `${[header, ...rows].join('\n')}\n`;
}

/** A WireGuard socket of the kernel's if_wg, as sockstat shows it. */
export function kernelUdp(port: number, proto = 'udp4'): Socket {
  return { user: '?', command: '?', pid: '?', fd: '?', proto, local: `*:${port}`, foreign: '*:*' };
}

export function listening(command: string, pid: number, fd: number, proto: string, local: string): Socket {
  return { user: command === 'haproxy' ? 'www' : 'root', command, pid: String(pid), fd: String(fd), proto, local, foreign: '*:*' };
}

/** The rules OPNsense loads around the user's (OPNsense 25.7 on FreeBSD 14.3), as pfctl -sr prints them. */
export const SYSTEM_RULES_HEAD = [
  'scrub in all fragment reassemble',
  'block drop in log inet all label "02f4bab031b57d1e30553ce08e0ec131"',
  'block drop in log inet6 all label "02f4bab031b57d1e30553ce08e0ec131"',
  'pass in quick inet6 proto ipv6-icmp all icmp6-type unreach keep state label "9ba3f8ee1af12e2c4b3b2ee7f9b2a2bc"',
  'pass out log inet all flags S/SA keep state allow-opts label "fae559338f65e11c53669fc3642c93c2"',
  'pass in quick on lo0 all flags S/SA keep state label "a4fe1b6a28e3bce37b2a7ea5ddb2f3e0"',
  'block drop in log quick proto tcp from <sshlockout> to (self) port = ssh label "1d7c8bcbcb3ff3a1c7a0c2ad7bb2e2f1"',
  'block drop in log quick from <virusprot> to any label "c9a6d5b37f3e5dc3fd8e5b9b0aaf6f1a"',
];

export const SYSTEM_RULES_TAIL = ['pass in quick on vtnet1 proto tcp from any to (vtnet1) port = https flags S/SA keep state label "bf8d6b8fbc4e9c0bb6f8cd1d64ae1a9e"'];

export function pfctlSr(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}

export const PFCTL_SI = `Status: Enabled for 0 days 03:12:55           Debug: Urgent

Interface Stats for vtnet0            IPv4             IPv6
  Bytes In                        18237465                0
  Bytes Out                        9321873                0
`;

/** What pfctl prints of a table loaded from these entries (an address or CIDR each, as OPNsense hands them over). */
export function pfctlTableShow(entries: readonly string[]): string {
  const printed = new Set<string>();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const prefix = bits === undefined ? 32 : Number(bits);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const base = formatIPv4((parseIPv4(address!)! & mask) >>> 0);
    printed.add(prefix === 32 ? base : `${base}/${prefix}`);
  }
  // pf keeps a table in a radix tree: not the order it was loaded in.
  return [...printed].reverse().map((e) => `   ${e}\n`).join('');
}

export function routeGet(destination: string, mask: string, iface: string, gateway?: string): string {
  return [
    `   route to: ${destination}`,
    `destination: ${destination}`,
    `       mask: ${mask}`,
    ...(gateway ? [`    gateway: ${gateway}`] : []),
    '        fib: 0',
    `  interface: ${iface}`,
    `      flags: <UP,${gateway ? 'GATEWAY,' : ''}DONE,${gateway ? 'STATIC' : 'PINNED'}>`,
    ' recvpipe  sendpipe  ssthresh  rtt,msec    mtu        weight    expire',
    '       0         0         0         0      1500         1         0 ',
    '',
  ].join('\n');
}
