// Who listens on which port of the merged configuration: the web GUI
// (<system><webgui>) and every enabled HAProxy frontend, the box's own as
// much as gen's. Two listeners on one port of one address keep HAProxy
// from starting, and a GUI that holds the port of a public frontend would
// be what the WAN pass rules to that port reach.
import ipaddr from 'ipaddr.js';
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { webGuiPorts } from '../targets/opnsense/webgui.js';
import { fieldText } from './fields.js';
import { dnsmasqDnsPort } from './dnsmasq-answer.js';
import { addToList } from '../arrays.js';
import { parseAddressCidr } from '../net.js';
import { addressKey } from './listened-addresses.js';

interface Bind {
  frontend: string;
  text: string;
  family: 'inet' | 'inet6' | 'unix';
  /** Empty for the wildcard address. */
  address: string;
  transport: 'tcp' | 'udp';
  from: number;
  to: number;
}

const WILDCARDS = new Set(['', '*', '0.0.0.0', '::']);

/** One entry of a frontend's bind list (CSVListField): [quic4@|quic6@]address:port[-port], [v6]:port, or unix@name. */
function parseBind(frontend: string, text: string): Bind | undefined {
  const entry = text.trim();
  if (entry === '' || entry.startsWith('unix@')) return undefined;
  const quic = /^quic[46]@/.test(entry);
  const rest = entry.replace(/^(quic[46]|ipv[46])@/, '');
  const match = /^(.*):([0-9]+)(?:-([0-9]+))?$/.exec(rest);
  if (!match) return undefined;
  // By value, as HAProxy binds it (str2sa_range(): inet_pton): fd00:0::1 is fd00::1, and 0::0 the wildcard.
  const address = addressKey(match[1]!.replace(/^\[(.*)\]$/, '$1'));
  const from = Number(match[2]);
  return {
    frontend,
    text: entry,
    family: address.includes(':') || entry.startsWith('quic6@') ? 'inet6' : 'inet',
    address: WILDCARDS.has(address) ? '' : address,
    transport: quic ? 'udp' : 'tcp',
    from,
    to: match[3] === undefined ? from : Number(match[3]),
  };
}

/** The enabled frontends of an enabled HAProxy, with their binds. */
function haproxyBinds(root: XmlElement): Bind[] {
  const haproxy = child(child(root, 'OPNsense'), 'HAProxy');
  if (fieldText(child(haproxy, 'general'), 'enabled') !== '1') return [];
  return childrenNamed(child(haproxy, 'frontends'), 'frontend')
    .filter((f) => fieldText(f, 'enabled') !== '0')
    .flatMap((f) => fieldText(f, 'bind').split(',').flatMap((text) => parseBind(fieldText(f, 'name'), text) ?? []));
}

/** Where the web GUI listens: on every interface, or on chosen ones (OPNsense's key of the WAN is always `wan`). */
interface GuiListen {
  ports: Map<number, string>;
  /** The addresses a frontend bind clashes with: the wildcard always; the WAN's address too when the GUI is bound to it. */
  onWan: 'every interface' | 'the WAN' | undefined;
  wanAddress: string;
}

/**
 * Ports the web GUI listens on, from the base's <system><webgui>: its port
 * (443 for https, 80 for http when empty) and, for https, 80 for its
 * redirect unless that is disabled. A GUI bound to chosen interfaces
 * listens on their addresses only (webgui_configure() in
 * plugins.inc.d/webgui.inc binds lighttpd to each listed interface's
 * addresses, else to 0.0.0.0 and ::): it leaves the wildcard free, but when
 * the WAN is one of them, WAN traffic to its ports reaches the GUI (the
 * more specific socket wins over HAProxy's wildcard), and a frontend on the
 * WAN address cannot bind at all.
 */
function guiListen(root: XmlElement): GuiListen {
  const webgui = child(child(root, 'system'), 'webgui');
  const wanAddress = fieldText(child(child(root, 'interfaces'), 'wan'), 'ipaddr');
  const listed = fieldText(webgui, 'interfaces');
  const onWan = listed === '' ? 'every interface' : listed.split(',').some((k) => k.trim() === 'wan') ? 'the WAN' : undefined;
  const ports = new Map<number, string>();
  if (onWan === undefined) return { ports, onWan, wanAddress };
  const { gui: port, redirect } = webGuiPorts({ https: fieldText(webgui, 'protocol') !== 'http', port: fieldText(webgui, 'port'), redirectDisabled: child(webgui, 'disablehttpredirect') !== undefined });
  ports.set(port, `the web GUI (TCP port ${port})`);
  if (redirect !== undefined && redirect !== port) ports.set(redirect, "the web GUI's HTTP redirect");
  return { ports, onWan, wanAddress };
}

/** HAProxy frontends on a port the web GUI holds on the WAN: the wildcard address, or the WAN's own when the GUI is bound to the WAN. */
/**
 * HAProxy left enabled with no frontend (merge removed gen's, and the box has
 * none of its own): it exits at start ("No enabled listener found").
 */
export function idleHaproxy(root: XmlElement): string[] {
  const haproxy = child(child(root, 'OPNsense'), 'HAProxy');
  if (fieldText(child(haproxy, 'general'), 'enabled') !== '1' || childrenNamed(child(haproxy, 'frontends'), 'frontend').length > 0) return [];
  return ['HAProxy is still enabled and has no frontend left, so it will not start: disable it (Services › HAProxy › Settings), or add a frontend'];
}

export function guiConflicts(root: XmlElement): string[] {
  const gui = guiListen(root);
  const out: string[] = [];
  for (const bind of haproxyBinds(root)) {
    if (bind.transport !== 'tcp') continue;
    if (bind.address !== '' && !(gui.onWan === 'the WAN' && bind.address === gui.wanAddress)) continue;
    for (const [port, holder] of gui.ports) {
      if (port < bind.from || port > bind.to) continue;
      // A wildcard bind beside a GUI on chosen interfaces starts, but the GUI's more specific socket takes the WAN's connections.
      const effect = gui.onWan === 'every interface' || bind.address !== '' ? 'HAProxy would not start' : 'HAProxy would not get the connections to the WAN address';
      out.push(
        `HAProxy frontend ${bind.frontend} binds ${bind.text}, but ${holder} listens on port ${port} of ${gui.onWan}: ${effect}, and the WAN pass to port ${port} ` +
          `would reach the web GUI. In System > Settings > Administration give the web GUI another TCP port (<webgui><port>) or only the LAN as listen interfaces (<webgui><interfaces>)` +
          `${port === 80 ? ', or disable its HTTP redirect (<webgui><disablehttpredirect>)' : ''}; or bind the frontend to one address`,
      );
    }
  }
  return out;
}

/** Whether two binds of one family and transport take a port of the same address (the wildcard covers every address of its family). */
function clashing(o: Bind, b: Bind): boolean {
  return o.from <= b.to && b.from <= o.to && (o.address === b.address || o.address === '' || b.address === '');
}

/**
 * The binds seen so far, to find the first that clashes with another
 * (compared with each before it, a bind per frontend made the work
 * frontends × frontends). A bind of one port is looked up by its port;
 * port ranges, rare, are compared with each other one by one.
 */
class EarlierBinds {
  private readonly binds: Bind[] = [];
  /** The first bind of one port, by family, transport, address and port; and by family, transport and port of any address. */
  private readonly byAddress = new Map<string, number>();
  private readonly byPort = new Map<string, number>();
  /** The binds of one port, and those of a range, by family and transport (indices, in order). */
  private readonly single = new Map<string, number[]>();
  private readonly ranges = new Map<string, number[]>();

  /** The first bind seen that clashes with `b`. */
  first(b: Bind): Bind | undefined {
    const group = `${b.family} ${b.transport}`;
    let found = (this.ranges.get(group) ?? []).find((i) => clashing(this.binds[i]!, b)) ?? Infinity;
    const singles = this.single.get(group) ?? [];
    if (b.to - b.from < singles.length) {
      for (let port = b.from; port <= b.to; port++) found = Math.min(found, this.onPort(group, b.address, port));
    } else {
      found = Math.min(found, singles.find((i) => clashing(this.binds[i]!, b)) ?? Infinity);
    }
    return this.binds[found];
  }

  add(b: Bind): void {
    const index = this.binds.push(b) - 1;
    const group = `${b.family} ${b.transport}`;
    if (b.from !== b.to) {
      addToList(this.ranges, group, index);
      return;
    }
    addToList(this.single, group, index);
    const address = JSON.stringify([group, b.address, b.from]);
    if (!this.byAddress.has(address)) this.byAddress.set(address, index);
    const port = JSON.stringify([group, b.from]);
    if (!this.byPort.has(port)) this.byPort.set(port, index);
  }

  /** The first bind of one port that takes `port` of `address`: of that address or the wildcard; of any address for the wildcard (''). */
  private onPort(group: string, address: string, port: number): number {
    if (address === '') return this.byPort.get(JSON.stringify([group, port])) ?? Infinity;
    const exact = this.byAddress.get(JSON.stringify([group, address, port])) ?? Infinity;
    return Math.min(exact, this.byAddress.get(JSON.stringify([group, '', port])) ?? Infinity);
  }
}

/** Two enabled frontends on an overlapping port of the same address (the wildcard covers every address of its family). */
export function bindClashes(root: XmlElement): string[] {
  const earlier = new EarlierBinds();
  const out: string[] = [];
  for (const b of haproxyBinds(root)) {
    const clash = earlier.first(b);
    earlier.add(b);
    if (clash) {
      const who = clash.frontend === b.frontend ? `HAProxy frontend ${b.frontend} binds both ${clash.text} and ${b.text}` : `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) listen on the same port`;
      out.push(`${who}: HAProxy would not start. Give one of them another port or address, or disable it (Services > HAProxy > Settings > Virtual Services)`);
    }
  }
  return out;
}

/** An enabled WireGuard instance of the merged configuration. */
interface WireguardInstance {
  label: string;
  gen: boolean;
  port: string;
  networks: { text: string; address: ipaddr.IPv4 | ipaddr.IPv6; prefix: number }[];
}

/** A network's leading `bits` as a key: its family, the length and the bits. */
function blockKey(kind: string, bitString: string, bits: number): string {
  return `${kind} ${bits} ${bitString.slice(0, bits)}`;
}

/**
 * For each instance, the earlier ones (ascending) it may clash with: one of
 * gen's and one on the same port, or with tunnel networks of which one
 * holds the other (CIDR blocks overlap only so). They are looked up by port
 * and by each leading part of a network's address, not compared pair by
 * pair (instances × instances); a pair of the box's own is not looked for.
 */
function clashCandidates(instances: readonly WireguardInstance[]): Map<number, number[]> {
  const all = new Map<string, number[]>();
  const gens = new Map<string, number[]>();
  const add = (key: string, index: number) => {
    addToList(all, key, index);
    if (instances[index]!.gen) addToList(gens, key, index);
  };
  const blocks = instances.map((w, index) => {
    if (w.port !== '') add(`port ${w.port}`, index);
    return w.networks.map((n) => {
      const bitString = n.address.toByteArray().map((byte) => byte.toString(2).padStart(8, '0')).join('');
      add(blockKey(n.address.kind(), bitString, n.prefix), index);
      return { kind: n.address.kind(), bitString, prefix: n.prefix };
    });
  });
  const pairs = new Map<number, Set<number>>();
  const pair = (i: number, j: number) => {
    if (i === j) return;
    const [earlier, later] = i < j ? [i, j] : [j, i];
    const set = pairs.get(later) ?? new Set<number>();
    pairs.set(later, set.add(earlier));
  };
  instances.forEach((w, index) => {
    // gen's instance meets every other; the box's own only gen's.
    const others = w.gen ? all : gens;
    if (w.port !== '') for (const j of others.get(`port ${w.port}`) ?? []) pair(index, j);
    // The networks that hold this one: those of each shorter (or equal) prefix with the same leading bits.
    for (const block of blocks[index]!) {
      for (let bits = 0; bits <= block.prefix; bits++) for (const j of others.get(blockKey(block.kind, block.bitString, bits)) ?? []) pair(index, j);
    }
  });
  const out = new Map<number, number[]>();
  for (const [later, earlier] of pairs) out.set(later, [...earlier].sort((x, y) => x - y));
  return out;
}

function wireguardInstances(root: XmlElement, isGen: (uuid: string) => boolean): WireguardInstance[] {
  const servers = child(child(child(child(root, 'OPNsense'), 'wireguard'), 'server'), 'servers');
  return childrenNamed(servers, 'server')
    .filter((s) => fieldText(s, 'enabled') === '1')
    .map((s) => ({
      gen: isGen(attr(s, 'uuid') ?? ''),
      label: `${isGen(attr(s, 'uuid') ?? '') ? "gen's" : "the base's"} WireGuard instance ${fieldText(s, 'name')} (instance ${fieldText(s, 'instance')}, device wg${fieldText(s, 'instance')})`,
      port: fieldText(s, 'port'),
      networks: fieldText(s, 'tunneladdress')
        .split(',')
        .map((t) => t.trim())
        .flatMap((text) => {
          const parsed = parseAddressCidr(text);
          return parsed ? [{ text, address: parsed[0], prefix: parsed[1] }] : [];
        }),
    }));
}

/**
 * Two enabled WireGuard instances that cannot both work: one UDP port
 * (wg-service-control.php starts each instance with its ListenPort; the
 * second cannot bind it, and OPNsense's model does not refuse it), or
 * overlapping tunnel networks (two devices with routes to one network).
 * An empty port is a random one. Pairs of the box's own instances are
 * the box's business: only pairs with one of gen's are reported.
 */
export function wireguardClashes(root: XmlElement, isGen: (uuid: string) => boolean): string[] {
  const instances = wireguardInstances(root, isGen);
  const out: string[] = [];
  const fix = 'disable or delete one of them (VPN > WireGuard > Instances) and export a new backup, or change the topology';
  const dns = dnsmasqDnsPort(root);
  for (const w of instances.filter((x) => x.gen && dns !== undefined && x.port === dns)) {
    out.push(
      `${w.label} listens on UDP ${dns}, the port of the base's dnsmasq DNS (<dnsmasq><port>), which dnsmasq binds first: wg(4) binds the wildcard address without reuse, so the instance cannot bind it. ` +
        `Give the instance another listen_port in the topology, or dnsmasq another Listen port (Services > Dnsmasq DNS & DHCP > General) and export a new backup`,
    );
  }
  const candidates = clashCandidates(instances);
  instances.forEach((b, i) => {
    for (const j of candidates.get(i) ?? []) {
      const a = instances[j]!;
      if (a.port !== '' && a.port === b.port) out.push(`${a.label} and ${b.label} both listen on UDP ${a.port}: only one can bind it; ${fix}`);
      for (const x of a.networks) {
        const overlap = b.networks.find((y) => x.address.kind() === y.address.kind() && x.address.match(y.address as never, Math.min(x.prefix, y.prefix)));
        if (overlap) out.push(`${a.label} (${x.text}) and ${b.label} (${overlap.text}) have overlapping tunnel networks: routes to one of them go to the other device; ${fix}`);
      }
    }
  });
  return out;
}
