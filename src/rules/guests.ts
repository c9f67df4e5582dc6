// Proxmox guests: the firewall VM's NICs against its interfaces, the
// containers' gateways and DNS servers, VLAN tags against their bridges,
// guest ids (and the device names Proxmox makes from them) and MACs.
import { type Verdict, pointFlowVerdicts } from '../flows.js';
import type { Bridge, FirewallInterface, Guest, GuestNic, Host, Model, Network, Site } from '../model.js';
import { parseIPv4 } from '../net.js';
import { type DeviceOccasion, hostDevices } from '../targets/proxmox/device-names.js';
import { CIDRV4_PREFIX, MAX_NETS, verifyCidrv4, verifyDnsName } from '../targets/proxmox/guest-formats.js';
import { DNS_OVER_TCP_HINT, DNS_OVER_TCP_WHY, filteredServer, firewallAddresses } from './dns-servers.js';
import type { Rule, RuleReport } from './rule.js';
import { IFNAME_MAX, vidsCoverage } from '../targets/proxmox/interfaces.js';

function* guests(model: Model): Generator<{ site: Site; guest: Guest }> {
  for (const site of model.sites) for (const guest of site.guests) yield { site, guest };
}

function* nics(model: Model): Generator<{ site: Site; guest: Guest; nic: GuestNic }> {
  for (const { site, guest } of guests(model)) for (const nic of guest.nics) yield { site, guest, nic };
}

/** Reports every item whose key an earlier item of the same site already has. */
function repeats<T>(items: Iterable<T>, key: (item: T) => string | number, report: (item: T, earlier: T) => void): void {
  const first = new Map<string | number, T>();
  for (const item of items) {
    const earlier = first.get(key(item));
    if (earlier === undefined) first.set(key(item), item);
    else report(item, earlier);
  }
}

function firstByKey<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  const index = new Map<string, T>();
  for (const item of items) if (!index.has(key(item))) index.set(key(item), item);
  return index;
}

/** What the NIC rules look up for each NIC, indexed once per site (first of a name wins, as a search would find it). */
interface SiteIndex {
  host(name: string | undefined): Host | undefined;
  bridge(host: Host, name: string): Bridge | undefined;
  network(id: string): Network | undefined;
  firewallInterface(name: string): FirewallInterface | undefined;
  covers(bridge: Bridge, tag: number): boolean;
}

function siteIndexes(): (site: Site) => SiteIndex {
  const made = new Map<Site, SiteIndex>();
  return (site) => {
    let index = made.get(site);
    if (index) return index;
    const hosts = firstByKey(site.hosts, (h) => h.name);
    const bridges = new Map(site.hosts.map((h) => [h, firstByKey(h.bridges, (b) => b.name)] as const));
    const networks = firstByKey(site.networks, (n) => n.id);
    const interfaces = firstByKey(site.firewall?.interfaces ?? [], (f) => f.name);
    const coverage = new Map<Bridge, (tag: number) => boolean>();
    index = {
      host: (name) => (name === undefined ? undefined : hosts.get(name)),
      bridge: (host, name) => bridges.get(host)?.get(name),
      network: (id) => networks.get(id),
      firewallInterface: (name) => interfaces.get(name),
      covers: (bridge, tag) => {
        if (!coverage.has(bridge)) coverage.set(bridge, vidsCoverage(bridge.vids));
        return coverage.get(bridge)!(tag);
      },
    };
    made.set(site, index);
    return index;
  };
}

const what = (guest: Guest) => `${guest.kind === 'vm' ? 'VM' : 'CT'} ${guest.id} (${guest.name})`;

/** Where a guest's id is written: a service's container or vm, the firewall's and backup server's vm.id. */
const idPath = (guest: Guest) => guest.path.concat(guest.purpose !== 'service' ? 'id' : guest.kind === 'vm' ? 'vm' : 'container');

/**
 * What a device name Linux refuses breaks, by when Proxmox makes the device.
 * A name made at start fits for every NIC gen gives a guest (a VM's net0 to
 * net31, a container's net0: test/proxmox/device-names.test.ts).
 */
const refusedDevice: Record<Exclude<DeviceOccasion, 'start'>, (guest: Guest, index: number) => string> = {
  hotplug: (guest, index) =>
    `plugging net${index} into the running container fails (pct set ${guest.id} --net${index}: "unable to hotplug net${index}"), and the NIC waits, pending, for the next start; the container starts with it`,
  firewall: (_guest, index) => `net${index} cannot come up with Proxmox's firewall on it (firewall=1)`,
};

/** A container's query to one of its DNS servers that crosses the firewall. */
interface DnsQuery {
  guest: Guest;
  /** Index in guest.dns.servers. */
  index: number;
  from: number;
  to: number;
}

/**
 * The queries of a site's containers to their DNS servers that the firewall
 * filters: not to a server on the container's own network (that one is
 * reached on the bridge; the firewall's own address there is filtered), nor
 * to the container's loopback. A container whose network has no bridge asks
 * nobody: it has no NIC (proxmox/guest-network).
 */
function dnsQueries(site: Site, networkOf: (id: string) => Network | undefined): DnsQuery[] {
  const firewall = firewallAddresses(site);
  const queries: DnsQuery[] = [];
  for (const guest of site.guests) {
    const nic = guest.nics[0];
    if (guest.kind !== 'ct' || !guest.dns || nic?.address === undefined || nic.network === undefined || nic.bridge === undefined) continue;
    const from = parseIPv4(nic.address);
    const network = networkOf(nic.network);
    if (from === undefined || !network) continue;
    guest.dns.servers.forEach((server, index) => {
      const to = filteredServer(server, network, firewall);
      if (to !== undefined) queries.push({ guest, index, from, to });
    });
  }
  return queries;
}

/** A site's container DNS queries and the policy's verdict on each over UDP 53, which both DNS rules ask for. */
interface SiteDns {
  site: Site;
  queries: DnsQuery[];
  udp: Verdict[];
}

// Made once per site, and read by both rules: the UDP verdicts cost a partition of the site's rules.
const dnsOfSite = new WeakMap<Site, SiteDns>();

/** The DNS queries of the containers of each site with a firewall (which filters them), with their UDP verdicts. */
function sitesDns(model: Model): SiteDns[] {
  const indexOf = siteIndexes();
  return model.sites
    .filter((site) => site.firewall)
    .map((site) => {
      let known = dnsOfSite.get(site);
      if (!known) {
        const queries = dnsQueries(site, (id) => indexOf(site).network(id));
        dnsOfSite.set(site, (known = { site, queries, udp: pointFlowVerdicts(site, queries, 'udp', 53) }));
      }
      return known;
    });
}

function reportBlockedDns(guest: Guest, blocked: { index: number; verdict: Verdict }[], report: RuleReport): void {
  const dns = guest.dns!;
  const all = blocked.length === dns.servers.length;
  const address = guest.nics[0]!.address!;
  const effect = all ? 'it resolves no name' : 'every lookup that tries it waits for it to time out';
  const first = blocked[0]!.verdict;
  const hintPass = (servers: string) => `a rule passing UDP and TCP 53 from service ${guest.name} (or its zone) to ${servers}${first.path ? ` before ${first.decidedBy}` : ''}`;
  if (dns.from === 'guest') {
    for (const { index, verdict } of blocked) {
      const server = dns.servers[index]!;
      report({
        path: dns.path.concat(index),
        message: `${what(guest)}: ${verdict.decidedBy} blocks DNS (UDP 53) from ${address} to its DNS server ${server}, so ${effect}`,
        hint: `Give service ${guest.name} DNS servers its network may reach (guest.dns), or add ${hintPass(server)}.`,
      });
    }
    return;
  }
  const servers = blocked.map((b) => dns.servers[b.index]!).join(', ');
  const given = dns.from === 'dhcp' ? `the DNS servers of DHCP on ${dns.interface} (${dns.servers.join(', ')})` : `the firewall's address on ${dns.interface ?? 'its network'} (${servers}) as DNS server`;
  report({
    path: guest.path,
    message: `${what(guest)} gets ${given}, but ${first.decidedBy} blocks DNS (UDP 53) from ${address} to ${servers}, so ${effect}`,
    hint:
      `Set guest.dns on service ${guest.name} to resolvers its network may reach (e.g. [1.1.1.1, 9.9.9.9])` +
      `${dns.from === 'dhcp' ? `, or correct dhcp.dns on interface ${dns.interface}` : ''}, or add ${hintPass(servers)}.`,
    related: [{ message: dns.from === 'dhcp' ? `dhcp.dns of interface ${dns.interface}` : `the firewall's address on ${dns.interface ?? 'the network'}`, path: dns.path }],
  });
}

export const guestRules: Rule[] = [
  {
    id: 'proxmox/guest-definition',
    severity: 'error',
    summary: 'A guest is described in a way gen cannot turn into qm/pct settings.',
    why:
      'A service in two guests, settings without a guest, a container created without a template, a container on a network wider than a /8 ' +
      "(pve-container takes a NIC's ip with a prefix of 8 to 32 only, and refuses the NIC), or a guest whose host or network is unknown leaves guests.sh nothing true to write.",
    hint: 'Follow the message: give the service one of container or vm, name the host, and what create needs (disk_gb, a template for a container).',
    examples: [
      {
        where: 'sites[].services[grafana]',
        bad: '{ name: grafana, network: service, address: 10.1.0.120, port: 3000, guest: { cores: 2 } }',
        good: '{ name: grafana, network: service, address: 10.1.0.120, port: 3000, container: 220, host: pve, guest: { cores: 2, dns: [1.1.1.1, 9.9.9.9] } }',
      },
    ],
    check(model, report) {
      for (const { guest } of guests(model)) {
        if (!guest.create) continue;
        const create = guest.purpose === 'service' ? guest.path.concat('guest', 'create') : guest.path.concat('create');
        if (guest.diskGb === undefined) {
          report({ path: create, key: true, message: `${what(guest)}: create needs disk_gb, the size of the disk to allocate`, hint: `Set disk_gb next to create on ${what(guest)} (e.g. 8 for a small container).` });
        }
        if (guest.kind === 'ct' && guest.template === undefined) {
          report({
            path: create,
            key: true,
            message: `${what(guest)}: create needs template, the container template (e.g. local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst)`,
            hint: `Set template next to create on ${what(guest)}: a template in the host's storage (pveam list local).`,
          });
        }
        if (verifyDnsName(guest.name) !== undefined) {
          const dnsName = guest.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
          report({
            path: guest.purpose === 'service' ? guest.path.concat('name') : create,
            key: guest.purpose !== 'service',
            message: `${what(guest)}: "${guest.name}" is not a DNS name, which Proxmox needs as the VM name or hostname on create`,
            hint: `Rename it with letters, digits and "-"${dnsName && verifyDnsName(dnsName) === undefined ? ` (e.g. ${dnsName})` : ''}, and where it is named.`,
          });
        }
      }
      const indexOf = siteIndexes();
      for (const { site, guest, nic } of nics(model)) {
        if (guest.kind !== 'ct' || nic.address === undefined || nic.prefix === undefined) continue;
        if (verifyCidrv4(`${nic.address}/${nic.prefix}`) === undefined) continue;
        const network = nic.network !== undefined ? indexOf(site).network(nic.network) : undefined;
        report({
          path: nic.path.concat('address'),
          message: `${what(guest)}: network ${nic.label} is a /${nic.prefix}, and Proxmox takes a container's address (net${nic.index} ip) with a prefix of ${CIDRV4_PREFIX.min} to ${CIDRV4_PREFIX.max} only`,
          hint: `Give network ${nic.label} a prefix of /${CIDRV4_PREFIX.min} or longer, or run service ${guest.name} in a VM (vm:), whose address is set inside it.`,
          ...(network ? { related: [{ message: `network ${network.name}`, path: network.path }] } : {}),
        });
      }
    },
  },
  {
    id: 'proxmox/guest-id-duplicate',
    severity: 'error',
    summary: 'Two guests of a site have the same VM/CT id.',
    why: 'VMs and containers share one id space in a Proxmox cluster: the second `qm`/`pct` command would change the first guest.',
    hint: 'Give each VM and container its own id.',
    examples: [
      {
        where: 'sites[].services[grafana]',
        bad: '{ name: grafana, network: service, address: 10.1.0.120, port: 3000, container: 102, host: pve, guest: { dns: [1.1.1.1, 9.9.9.9] } }',
        good: '{ name: grafana, network: service, address: 10.1.0.120, port: 3000, container: 220, host: pve, guest: { dns: [1.1.1.1, 9.9.9.9] } }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        repeats(site.guests, (g) => g.id, (guest, earlier) => {
          report({ path: guest.path, message: `${what(guest)}: id ${guest.id} is already ${what(earlier)}`, related: [{ message: 'first use', path: earlier.path }] });
        });
      }
    },
  },
  {
    id: 'proxmox/guest-device-name',
    severity: 'warning',
    summary: 'Proxmox would give a device of a guest NIC a name longer than Linux takes, for a guest id of nine digits.',
    why:
      `Proxmox names the host's devices of a guest NIC after the guest id and the NIC's number, and Linux takes interface names of at most ${IFNAME_MAX} characters. ` +
      'A guest id may have nine digits (up to 999999999). The container end of a NIC plugged into a running container is then 16 characters long ' +
      '(veth<id>i<N>p, pve-container LXC.pm hotplug_net): `pct set --netN` on a running container, which guests.sh runs when the container lacks the NIC, fails ' +
      '("unable to hotplug"), and the NIC waits, pending, for the next start. The guest itself starts: the names made at start fit for the NICs gen gives ' +
      "(a VM's tap<id>i<N> up to net31, a container's veth<id>i0), and so do those of Proxmox's firewall on a service guest's net0 (fwbr<id>i0).",
    hint: 'Give the guest an id of at most eight digits (below 100000000), or add its NIC while it is stopped.',
    examples: [
      {
        where: 'sites[].services[grafana]',
        bad: '{ name: grafana, network: service, address: 10.1.0.120, port: 3000, container: 220000000, host: pve, guest: { dns: [1.1.1.1, 9.9.9.9] } }',
        good: '{ name: grafana, network: service, address: 10.1.0.120, port: 3000, container: 220, host: pve, guest: { dns: [1.1.1.1, 9.9.9.9] } }',
      },
    ],
    check(model, report) {
      for (const { guest, nic } of nics(model)) {
        for (const device of hostDevices(guest.kind, guest.id, nic.index)) {
          // The firewall VM's NICs have Proxmox's firewall off; a service guest's is the operator's to turn on.
          if (device.name.length <= IFNAME_MAX || device.when === 'start' || (device.when === 'firewall' && nic.firewall === false)) continue;
          report({
            path: idPath(guest),
            message: `${what(guest)}: Proxmox names ${device.what} ${device.name}, ${device.name.length} characters, but Linux takes interface names of at most ${IFNAME_MAX}, so ${refusedDevice[device.when](guest, nic.index)}`,
            hint: `Give ${what(guest)} an id of at most eight digits (below 100000000), or add net${nic.index} only while it is stopped.`,
          });
        }
      }
    },
  },
  {
    id: 'proxmox/firewall-nic-order',
    severity: 'error',
    summary: "The firewall's device names (vtnetN) do not follow the order of the VM's NICs.",
    why: 'FreeBSD names virtio NICs vtnet0, vtnet1, ... in PCI order, which is netN order (qemu-server places net0-net5 in slots 0x12-0x17): a gap or a device that is not vtnet shifts every later name, and OPNsense then puts the LAN on the wrong wire.',
    hint: 'Number the bridged interfaces vtnet0, vtnet1, ... without gaps: the interface with device vtnetN gets netN.',
    examples: [
      {
        where: 'sites[].firewall.interfaces[service]',
        bad: 'name: service\ndevice: vtnet3\nbridge: vmbr2',
        good: 'name: service\ndevice: vtnet2\nbridge: vmbr2',
      },
    ],
    check(model, report) {
      for (const { site, guest } of guests(model)) {
        if (guest.purpose !== 'firewall') continue;
        if (guest.nics.length > MAX_NETS) {
          report({
            path: guest.path,
            key: true,
            message: `${what(guest)} would need ${guest.nics.length} NICs; Proxmox has net0 to net${MAX_NETS - 1}`,
            hint: `Carry ${guest.nics.length - MAX_NETS + 1} or more of the firewall's networks as VLANs of one interface (vlan: { parent, tag }) instead of NICs of their own.`,
          });
        }
        // An interface with no device at all is firewall/interface-kind's finding.
        const devices = site.firewall!.interfaces.filter((f) => f.kind === 'device' && f.device);
        for (const iface of devices) {
          const devicePath = iface.path.concat('device');
          if (iface.bridge === undefined) {
            report({
              path: iface.path,
              key: true,
              message: `interface ${iface.name} (${iface.device}) names no bridge: gen cannot place its NIC on ${what(guest)}`,
              hint: `Set bridge on interface ${iface.name} to the Proxmox bridge of its network.`,
            });
          } else if (!/^vtnet\d+$/.test(iface.device)) {
            report({
              path: devicePath,
              message: `interface ${iface.name}: device ${iface.device} is not a virtio NIC name; gen gives ${what(guest)} virtio NICs, named vtnet0, vtnet1, ...`,
              hint: `Name the device of interface ${iface.name} vtnetN, N the number of its NIC on ${what(guest)} (net0 is vtnet0).`,
            });
          } else {
            const nic = guest.nics.find((n) => n.interface === iface.name);
            const expected = nic ? `vtnet${nic.index}` : undefined;
            if (expected !== iface.device) {
              report({
                path: devicePath,
                message: nic
                  ? `interface ${iface.name} is on net${nic.index} of ${what(guest)}, which FreeBSD names ${expected}, not ${iface.device}`
                  : `interface ${iface.name}: ${what(guest)} has ${guest.nics.length} NICs (vtnet0-vtnet${guest.nics.length - 1}), so there is no ${iface.device}`,
                hint: nic ? `Set device: ${expected} on interface ${iface.name}.` : `Add a NIC on bridge ${iface.bridge} to vm.nics of the firewall for interface ${iface.name}, or leave vm.nics out to derive them.`,
              });
            }
          }
        }
      }
    },
  },
  {
    id: 'proxmox/firewall-nic-bridge',
    severity: 'error',
    summary: "A NIC of the firewall VM sits on another bridge than the interface it becomes names.",
    why: 'netN is vtnetN inside OPNsense: on the wrong bridge the interface assigned to vtnetN talks to the wrong network, e.g. the LAN on the WAN wire.',
    hint: "Move the NIC to the interface's bridge (or change the interface's bridge).",
    examples: [
      {
        where: 'sites[].firewall',
        bad: 'vm:\n  id: 102\n  host: pve\n  nics: [{ bridge: vmbr0 }, { bridge: vmbr2 }, { bridge: vmbr1 }]',
        good: 'vm:\n  id: 102\n  host: pve\n  nics: [{ bridge: vmbr0 }, { bridge: vmbr1 }, { bridge: vmbr2 }]',
      },
    ],
    check(model, report) {
      const indexOf = siteIndexes();
      for (const { site, guest, nic } of nics(model)) {
        if (guest.purpose !== 'firewall' || nic.interface === undefined) continue;
        const iface = indexOf(site).firewallInterface(nic.interface)!;
        if (iface.bridge !== undefined && nic.bridge !== iface.bridge) {
          report({
            path: nic.path.concat('bridge'),
            message: `net${nic.index} of ${what(guest)} is on ${nic.bridge}, but it is ${nic.device}, interface ${iface.name}, which names bridge ${iface.bridge}`,
            related: [{ message: `interface ${iface.name}`, path: iface.path.concat('bridge') }],
          });
        }
      }
    },
  },
  {
    id: 'proxmox/guest-network',
    severity: 'error',
    summary: "A guest's network has no Proxmox bridge on the guest's host.",
    why: 'Its NIC would have nowhere to go: a WireGuard tunnel or a network without a bridge cannot hold a guest, and a bridge missing on the host makes qm/pct refuse the NIC.',
    hint: 'Put the guest on a network whose firewall interface names a bridge, and run the guest on a host that has that bridge.',
    examples: [
      {
        where: 'sites[].services[grafana]',
        bad: '{ name: grafana, network: wireguard, address: 10.0.1.60, port: 3000, container: 220, host: pve }',
        good: '{ name: grafana, network: service, address: 10.1.0.120, port: 3000, container: 220, host: pve, guest: { dns: [1.1.1.1, 9.9.9.9] } }',
      },
    ],
    check(model, report) {
      const indexOf = siteIndexes();
      for (const { site, guest, nic } of nics(model)) {
        if (nic.bridge === undefined) {
          report({
            path: nic.path,
            message: `${what(guest)}: network ${nic.label} has no Proxmox bridge for its NIC`,
            hint: `Put ${what(guest)} on a network whose firewall interface names a bridge (a tunnel such as WireGuard has none), or give the interface of ${nic.label} a bridge.`,
          });
          continue;
        }
        const host = indexOf(site).host(guest.host);
        if (host && !indexOf(site).bridge(host, nic.bridge)) {
          const holders = site.hosts.filter((h) => indexOf(site).bridge(h, nic.bridge!)).map((h) => h.name);
          report({
            path: nic.path,
            message: `${what(guest)}: bridge ${nic.bridge} of its NIC (net${nic.index}) does not exist on host ${host.name}`,
            hint: `Add bridge ${nic.bridge} to host ${host.name}${holders.length ? `, or run ${what(guest)} on ${holders.join(' or ')} (host:)` : ''}.`,
          });
        }
      }
    },
  },
  {
    id: 'proxmox/guest-gateway',
    severity: 'error',
    summary: "A container's gateway is not the firewall's address on its network.",
    why: 'Every network behind the firewall is routed by it: another gateway sends the container\'s traffic where the policy does not apply, or nowhere.',
    hint: "Leave gateway out (gen uses the firewall's address), or correct it.",
    examples: [
      {
        where: 'sites[].services[traefik].guest',
        bad: 'gateway: 10.1.0.254',
        good: 'gateway: 10.1.0.1',
      },
    ],
    check(model, report) {
      const indexOf = siteIndexes();
      for (const { site, guest, nic } of nics(model)) {
        if (!nic.gatewayExplicit || nic.network === undefined) continue;
        const network = indexOf(site).network(nic.network);
        if (network?.firewallAddress !== undefined && nic.gateway !== network.firewallAddress) {
          report({
            path: nic.path.concat('guest', 'gateway'),
            message: `${what(guest)}: gateway ${nic.gateway} is not the firewall's address on network ${network.name} (${network.firewallAddress})`,
          });
        }
      }
    },
  },
  {
    id: 'proxmox/guest-dns-blocked',
    severity: 'error',
    summary: 'The policy blocks DNS from a container to a DNS server gen gives it.',
    why:
      "gen writes each container's DNS servers (pct nameserver), which Proxmox puts into its /etc/resolv.conf at every start: the service's guest.dns, else what DHCP clients of its network get (dhcp.dns, else the firewall's own address there). " +
      'Where the policy blocks UDP 53 to them (to: internet blocks the firewall and the upstream router\'s LAN) the container resolves no name, or waits for the blocked one to time out at every lookup that tries it.',
    hint: 'Set guest.dns on the service (or dhcp.dns on its network\'s interface) to resolvers its zone may reach, e.g. public ones, or add a rule that passes UDP and TCP 53 to them before the one that blocks them.',
    examples: [
      {
        where: 'sites[].services[traefik]',
        bad: 'guest: { dns: [192.168.0.1] }',
        good: 'guest: { dns: [1.1.1.1, 9.9.9.9] }',
      },
    ],
    check(model, report) {
      // One partition of the rules for every container of the site.
      for (const { queries, udp: verdicts } of sitesDns(model)) {
        const blocked = new Map<Guest, { index: number; verdict: Verdict }[]>();
        queries.forEach((query, i) => {
          const verdict = verdicts[i]!;
          if (verdict.verdict !== 'deny') return;
          const list = blocked.get(query.guest);
          if (list) list.push({ index: query.index, verdict });
          else blocked.set(query.guest, [{ index: query.index, verdict }]);
        });
        for (const [guest, list] of blocked) reportBlockedDns(guest, list, report);
      }
    },
  },
  {
    id: 'proxmox/guest-dns-tcp-blocked',
    severity: 'warning',
    summary: 'The policy passes DNS over UDP from a container to a DNS server gen gives it, but blocks it over TCP.',
    why: DNS_OVER_TCP_WHY,
    hint: DNS_OVER_TCP_HINT,
    examples: [
      {
        // The service zone's own TCP pass covers HTTPS only; its containers ask public resolvers.
        where: 'sites[].policy.rules[service-internet-only]',
        context: [{ where: 'sites[].policy.rules[+]', snippet: '{ name: service-https, from: service, to: internet, proto: tcp, ports: [443], action: pass }' }],
        bad: 'proto: udp',
        good: 'proto: tcp/udp',
      },
    ],
    check(model, report) {
      for (const { site, queries, udp } of sitesDns(model)) {
        const tcp = pointFlowVerdicts(site, queries, 'tcp', 53);
        queries.forEach((query, i) => {
          if (udp[i]!.verdict === 'deny' || tcp[i]!.verdict !== 'deny') return;
          const dns = query.guest.dns!;
          const server = dns.servers[query.index]!;
          report({
            path: dns.from === 'guest' ? dns.path.concat(query.index) : query.guest.path,
            message: `${what(query.guest)}: DNS to ${server} passes over UDP, but ${tcp[i]!.decidedBy} blocks it over TCP 53, so lookups whose answers do not fit a UDP packet fail`,
            hint: `Pass TCP 53 too from service ${query.guest.name} (or its zone) to ${server}${tcp[i]!.path ? ` before ${tcp[i]!.decidedBy}` : ''}, e.g. proto: tcp/udp.`,
          });
        });
      }
    },
  },
  {
    id: 'proxmox/guest-vlan',
    severity: 'error',
    summary: "A guest NIC carries a VLAN tag its bridge does not carry.",
    why: 'Proxmox tags the NIC on a VLAN-aware bridge; on a bridge that is not VLAN aware it builds a separate bridge for the tag, which the firewall never sees, and a VLAN-aware bridge passes only its bridge-vids on its ports.',
    hint: 'Make the bridge VLAN aware with the tag in its vids (or leave vids out to derive them).',
    examples: [
      {
        where: 'sites[].firewall',
        bad: 'vm:\n  id: 102\n  host: pve\n  nics: [{ bridge: vmbr0 }, { bridge: vmbr1 }, { bridge: vmbr2, tag: 20 }]',
        good: 'vm:\n  id: 102\n  host: pve\n  nics: [{ bridge: vmbr0 }, { bridge: vmbr1 }, { bridge: vmbr2 }]',
      },
    ],
    check(model, report) {
      const indexOf = siteIndexes();
      for (const { site, guest, nic } of nics(model)) {
        if (nic.tag === undefined || nic.bridge === undefined) continue;
        const host = indexOf(site).host(guest.host);
        const bridge = host && indexOf(site).bridge(host, nic.bridge);
        if (!bridge) continue;
        if (!bridge.vlanAware) {
          report({
            path: nic.path,
            message: `${what(guest)}: its NIC has VLAN tag ${nic.tag} but bridge ${bridge.name} is not VLAN aware`,
            hint: `Set vlan_aware: true on bridge ${bridge.name} of host ${host.name}.`,
          });
        } else if (bridge.ports.length > 0 && !indexOf(site).covers(bridge, nic.tag)) {
          report({
            path: nic.path,
            message: `${what(guest)}: bridge ${bridge.name} does not carry VLAN ${nic.tag} on its ports (vids ${bridge.vids.join(' ')})`,
            hint: `Add ${nic.tag} to vids of bridge ${bridge.name} on host ${host.name} (or leave vids out to derive them).`,
          });
        }
      }
    },
  },
  {
    id: 'proxmox/mac-collision',
    severity: 'error',
    summary: 'Two guest NICs of a site have the same MAC address.',
    why: 'Two NICs with one MAC on a network steal each other\'s traffic; the bridge learns whichever spoke last.',
    hint: 'Remove one of the written MACs (gen derives a unique one), or correct it.',
    examples: [
      {
        context: [{ where: 'sites[].services[postgres].guest', snippet: 'mac: "BC:24:11:5A:00:01"' }],
        where: 'sites[].services[valkey].guest',
        bad: 'mac: "BC:24:11:5A:00:01"',
        good: 'mac: "BC:24:11:5A:00:02"',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const all = site.guests.flatMap((guest) => guest.nics.map((nic) => ({ guest, nic })));
        repeats(all, (n) => n.nic.mac, ({ guest, nic }, earlier) => {
          report({ path: nic.path, message: `${what(guest)} net${nic.index}: MAC ${nic.mac} is already net${earlier.nic.index} of ${what(earlier.guest)}`, related: [{ message: 'first use', path: earlier.nic.path }] });
        });
      }
    },
  },
];
