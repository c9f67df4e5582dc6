// Full-tunnel WireGuard clients ask the DNS servers their client files name
// (the instance's dns), and those are often the firewall's own addresses:
// its tunnel address, or a LAN address reached through the tunnel. A query
// from a client arrives on the instance's device (wgN), sent to that
// address. The box's Unbound answers it only where it binds the address:
// every address with no Network Interfaces chosen, else the addresses
// interfaces_addresses() finds on lo0 and the chosen interfaces' devices
// (unbound.inc unbound_generate_config(); unbound-bound.ts), so a tunnel
// address only where the instance's assigned interface is chosen. dnsmasq
// answers DNS on port 53 with the wildcard for a query that arrives on a
// device it listens on (forward.c receive_query(): iface_check() of the
// arrival device, wgN here), and with Strict interface binding at the
// addresses of the devices it listens on (dnsmasq-bound.ts). Where neither
// answers, the tunnel is up and no name resolves: the clients seem to
// have "no internet". Merge reads the box as merged and says so.
// The same for the clients of gen's ISC DHCP interfaces: the DNS servers an
// interface sets, else (no dnsserver) its own address wherever a service of
// the box holds port 53 (dhcpd.inc dhcpd_dhcp4_configure(): service_by_filter
// of dns_ports 53, which Unbound declares when enabled and dnsmasq unless
// its port is 0; core on 25.7, the os-isc-dhcp plugin from 26.1), asked
// from the interface's device. Which addresses are the box's, and which
// resolver answers one, serve the access-list check too (acl-refused-clients.ts).
import { type XmlElement, child, childrenNamed, firstChildren, textOf } from '../render/opnsense/xml.js';
import { UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import { type Range, blockRange } from '../intervals.js';
import { unboundOutstarted } from './dns-port-clash.js';
import { unboundCause } from './firewall-dns-unanswered.js';
import { dnsmasqAnswers } from './dnsmasq-answer.js';
import { dnsmasqBindsAddresses, dnsmasqBoundAddresses } from './dnsmasq-bound.js';
import { fieldList, fieldText } from './fields.js';
import { interfaceEnabled } from './interface-enabled.js';
import { addressKey, listenedAddresses } from './listened-addresses.js';
import { type UnboundDnsAt, unboundDnsAt } from './unbound-bound.js';
import { unboundEnabled, unboundPort } from './unbound-general.js';
import { networkOf } from './vips.js';

/** A WireGuard instance of gen's whose client files name DNS servers (a full tunnel's dns). */
export interface TunnelDns {
  /** The instance's name. */
  instance: string;
  /** The instance number: its device is wg<number>. */
  number: number;
  /** The DNS servers its client files name, as written. */
  servers: readonly string[];
  /** The instance's tunnel address with its prefix (10.10.99.1/24): where its clients' addresses lie. */
  network: string;
}

/**
 * What the merged config says of its resolvers and addresses, read once per merge (every look-up below is a map's, so
 * that a box of many interfaces costs each client group the same): each enabled WireGuard instance's tunnel addresses
 * on its device, the interfaces' addresses, the enabled interface that assigns each device, where Unbound binds and
 * whether it starts, and dnsmasq's DNS.
 */
export interface DnsFacts {
  root: XmlElement;
  /** Each tunnel address (addressKey()) and the wgN device that holds it. */
  onDevice: ReadonlyMap<string, string>;
  /** The box's configured addresses (an enabled interface's, with its VIPs, and the loopback's). */
  configured: ReadonlySet<string>;
  /** The enabled interface entries by key, and the key that assigns each device. */
  interfaces: ReadonlyMap<string, XmlElement>;
  keyOfDevice: ReadonlyMap<string, string>;
  unbound: { starts: boolean } & UnboundDnsAt;
  dnsmasq: { answers: boolean; binds: boolean; listed: ReadonlySet<string>; bound: ReadonlySet<string> };
}

export function dnsFacts(root: XmlElement): DnsFacts {
  const onDevice = new Map<string, string>();
  const servers = childrenNamed(child(child(child(child(root, 'OPNsense'), 'wireguard'), 'server'), 'servers'), 'server');
  for (const server of servers) {
    if (fieldText(server, 'enabled') !== '1' || fieldText(server, 'instance') === '') continue;
    for (const entry of fieldList(server, 'tunneladdress')) {
      const address = addressKey(entry.split('/')[0]!.trim());
      if (address !== '' && !onDevice.has(address)) onDevice.set(address, `wg${fieldText(server, 'instance')}`);
    }
  }
  const interfaces = new Map<string, XmlElement>();
  const keyOfDevice = new Map<string, string>();
  for (const [key, entry] of firstChildren(child(root, 'interfaces'))) {
    if (!interfaceEnabled(entry) || fieldText(entry, 'if') === '') continue;
    interfaces.set(key, entry);
    if (!keyOfDevice.has(fieldText(entry, 'if'))) keyOfDevice.set(fieldText(entry, 'if'), key);
  }
  const binds = dnsmasqBindsAddresses(root);
  return {
    root,
    onDevice,
    configured: listenedAddresses(root, new Set()),
    interfaces,
    keyOfDevice,
    unbound: { starts: !unboundOutstarted(root), ...unboundDnsAt(root) },
    dnsmasq: { answers: dnsmasqAnswers(root), binds, listed: new Set(fieldList(child(root, 'dnsmasq'), 'interface')), bound: binds ? dnsmasqBoundAddresses(root) : new Set() },
  };
}

/** Whether the box's Unbound answers DNS at `address` (on `device` when it is a tunnel address). */
export function unboundAnswers(facts: DnsFacts, address: string, device: string | undefined): boolean {
  const at = facts.unbound;
  return at.starts && (at.every || at.written.has(address) || (device !== undefined && at.devices.has(device)));
}

/** Whether the box's dnsmasq answers DNS at `address` (on `device` when it is a tunnel address) for a query arriving on `arrival`. */
export function dnsmasqAnswersAt(facts: DnsFacts, address: string, device: string | undefined, arrival: string): boolean {
  const { answers, binds, listed, bound } = facts.dnsmasq;
  if (!answers) return false;
  const listens = (dev: string) => {
    if (listed.size === 0) return true;
    const key = facts.keyOfDevice.get(dev);
    return (key !== undefined && listed.has(key)) || listed.has(dev);
  };
  if (!binds) return listens(arrival);
  // bind-interfaces: the addresses found on the devices it listens on (a tunnel address on its wg device).
  return device !== undefined ? listens(device) : bound.has(address);
}

/** Why the box's Unbound does not answer at `address` (held by `device` when it is a tunnel address), and what makes it. */
function unboundCauseAt(facts: DnsFacts, address: string, device: string | undefined): { why: string; fix: string } {
  const holder = device !== undefined ? facts.keyOfDevice.get(device) : interfaceOf(facts, address);
  const add =
    holder ??
    (device !== undefined ? `${device}, once assigned (Interfaces › Assignments) and enabled without an IP configuration,` : `the interface that holds ${address}`);
  return unboundCause(facts.root, add);
}

/** The enabled interface whose configured addresses hold `address` (for a warning's words only). */
function interfaceOf(facts: DnsFacts, address: string): string | undefined {
  for (const key of facts.interfaces.keys()) if (listenedAddresses(facts.root, new Set([key])).has(address) && !['127.0.0.1', '::1'].includes(address)) return key;
  return undefined;
}

/**
 * The servers of `servers` that are addresses of the box, each with its address (addressKey()) and the WireGuard device
 * that holds it, if one does. A loopback server is the client's own; one that is no address of the box is another resolver.
 */
export function boxServers(servers: readonly string[], facts: DnsFacts): { server: string; address: string; device?: string }[] {
  return servers.flatMap((server) => {
    const address = addressKey(server);
    if (address.startsWith('127.') || address === '::1') return [];
    const device = facts.onDevice.get(address);
    if (device === undefined && !facts.configured.has(address)) return [];
    return [{ server, address, ...(device === undefined ? {} : { device }) }];
  });
}

/** The servers of `servers` that are addresses of the box no resolver answers for a query arriving on `arrival`. */
function unansweredOn(facts: DnsFacts, arrival: string, servers: readonly string[]): string[] {
  return boxServers(servers, facts)
    .filter(({ address, device }) => !unboundAnswers(facts, address, device) && !dnsmasqAnswersAt(facts, address, device, arrival))
    .map(({ server }) => server);
}

/** Why nothing answers at the first of `unanswered` (every one shares the cause but for the interface that holds it), and what to change. */
function causeOf(facts: DnsFacts, unanswered: readonly string[]): { why: string; fix: string } {
  const first = addressKey(unanswered[0]!);
  const { why, fix } = unboundCauseAt(facts, first, facts.onDevice.get(first));
  return { why: `${why} and dnsmasq answers none of its clients' queries on port ${UNBOUND_PORT} there`, fix };
}

/** The outcome for the clients: none of their servers answers, or some. */
function outcome(unanswered: readonly string[], servers: readonly string[], none: string): string {
  return unanswered.length === servers.length ? none : 'lookups sent there time out before the clients try their next server';
}

/**
 * Warnings for the WireGuard instances of gen's (`tunnels`) whose client files name an address of the firewall as DNS
 * server where no resolver of the merged config answers queries from the tunnel on port 53.
 */
export function unansweredTunnelDns(facts: DnsFacts, tunnels: readonly TunnelDns[]): string[] {
  const out: string[] = [];
  for (const tunnel of tunnels) {
    const unanswered = unansweredOn(facts, `wg${tunnel.number}`, tunnel.servers);
    if (unanswered.length === 0) continue;
    const { why, fix } = causeOf(facts, unanswered);
    out.push(
      `WireGuard instance ${tunnel.instance} is a full tunnel whose client files name the firewall's ${unanswered.join(', ')} as DNS server, but ${why}: ` +
        `${outcome(unanswered, tunnel.servers, 'its clients resolve no name while the tunnel is up')}; ${fix}, or name a DNS server in the instance's dns that answers the tunnel`,
    );
  }
  return out;
}

/** Whether a service of the box declares port 53 (dns_ports): Unbound when enabled, dnsmasq unless its port is 0. */
function servicesPort53(facts: DnsFacts): boolean {
  return (unboundEnabled(facts.root) && unboundPort(facts.root) === String(UNBOUND_PORT)) || facts.dnsmasq.answers;
}

/** Clients on an interface gen serves DHCP on: the interface, its device, its network and the DNS servers they are handed. */
export interface DhcpClients {
  key: string;
  device: string;
  range: Range;
  servers: string[];
  /** Whether the servers are the ones the interface sets (else the firewall's own address on it, by default). */
  set: boolean;
}

/** The enabled, statically addressed interface `key`: its device, own address and network. */
export function addressedInterface(facts: DnsFacts, key: string): { device: string; own: string; range: Range } | undefined {
  const entry = facts.interfaces.get(key);
  if (entry === undefined) return undefined;
  // The address interface_static_configure() configures on its device, as written (networkOf()).
  const network = networkOf(entry);
  if (network === undefined) return undefined;
  return { device: fieldText(entry, 'if'), own: network.text, range: blockRange(network.block) };
}

/**
 * The clients of the interfaces gen's ISC DHCP section (the <dhcpd> of `sections`) serves, as merged: the DNS servers
 * an interface sets, else its own address where a service holds port 53 (else the system's servers: none here).
 */
export function iscClients(facts: DnsFacts, sections: readonly XmlElement[]): DhcpClients[] {
  const gen = sections.find((s) => s.name === 'dhcpd');
  if (gen === undefined) return [];
  const merged = firstChildren(child(facts.root, 'dhcpd'));
  const port53 = servicesPort53(facts);
  return [...firstChildren(gen).keys()].flatMap((key) => {
    const served = merged.get(key);
    const iface = addressedInterface(facts, key);
    if (served === undefined || child(served, 'enable') === undefined || iface === undefined) return [];
    const set = childrenNamed(served, 'dnsserver').map((n) => textOf(n).trim()).filter((v) => v !== '');
    const servers = set.length > 0 ? set : port53 ? [iface.own] : [];
    return [{ key, device: iface.device, range: iface.range, servers, set: set.length > 0 }];
  });
}

/**
 * Warnings for the interfaces gen's ISC DHCP section serves whose clients are handed an address of the firewall as DNS
 * server where no resolver of the box answers them on port 53.
 */
export function unansweredIscDns(facts: DnsFacts, sections: readonly XmlElement[]): string[] {
  const out: string[] = [];
  for (const clients of iscClients(facts, sections)) {
    const unanswered = unansweredOn(facts, clients.device, clients.servers);
    if (unanswered.length === 0) continue;
    const { why, fix } = causeOf(facts, unanswered);
    const given = clients.set ? '' : ' (its own address: it sets no DNS servers, and a service of the box holds port 53)';
    out.push(
      `ISC DHCP on ${clients.key} hands out the firewall's ${unanswered.join(', ')} as DNS server${given}, but ${why}: ` +
        `${outcome(unanswered, clients.servers, 'its clients resolve no name')}; ${fix}, or set the DNS servers the interface's DHCP hands out (dhcp.dns) to ones that answer there`,
    );
  }
  return out;
}
