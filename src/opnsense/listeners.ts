// Who listens on which port of the merged configuration: the web GUI
// (<system><webgui>) and every enabled HAProxy frontend, the box's own as
// much as gen's, and which of them FreeBSD hands a connection to.
//
// HAProxy sets SO_REUSEADDR, SO_REUSEPORT and, on FreeBSD, SO_REUSEPORT_LB
// on each listening socket unless `noreuseport` is in its global section
// (sock_inet_bind_receiver() in src/sock_inet.c); the web GUI's lighttpd
// sets SO_REUSEADDR only (network_server_init() in src/network.c). FreeBSD
// (in_pcbbind_setup() in sys/netinet/in_pcb.c) refuses a bind to an address
// and port a socket holds unless both set SO_REUSEPORT or SO_REUSEPORT_LB,
// and, for sockets made by root (both bind before they drop it: HAProxy's
// bind_listeners() runs before set_identity(), lighttpd's network_init()
// before its setuid()), with SO_REUSEADDR never refuses a wildcard beside a
// specific address.
// A connection goes to a socket of its exact 4-tuple, else to an
// SO_REUSEPORT_LB group (one bound to its address before one bound to the
// wildcard; within a group, by a hash of the client's address and ports),
// and only then to any other socket, again its address's before the
// wildcard's (in_pcblookup_hash_locked(), in_pcblookup_lbgroup(),
// in_pcblookup_hash_wild_locked(); in6_pcb.c alike). An IPv4 connection is
// looked up among the groups and sockets that take IPv4 (INP_IPV4: those of
// AF_INET, and those on :: without IPV6_V6ONLY), an IPv6 one among those of
// AF_INET6 (INP_IPV6); a socket on :: without IPV6_V6ONLY joins no group
// (in_pcbinslbgrouphash(): "Don't allow IPv4 mapped INET6 wild socket"), and
// an IPv4 connection goes to a wildcard socket of AF_INET before one of these
// (in_pcblookup_hash_wild_locked(): local_wild_mapped last).
import ipaddr from 'ipaddr.js';
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { webGuiPorts } from '../targets/opnsense/webgui.js';
import { fieldText } from './fields.js';
import { dnsmasqDnsPort } from './dnsmasq-answer.js';
import { addToList } from '../arrays.js';
import { parseAddressCidr, parseIPv6 } from '../net.js';
import { addressKey, listenedAddresses } from './listened-addresses.js';
import { interfaceEnabled } from './interface-enabled.js';

interface Bind {
  frontend: string;
  /** One of gen's frontends. */
  gen: boolean;
  text: string;
  family: 'inet' | 'inet6' | 'unix';
  /** A socket of AF_INET6 without IPV6_V6ONLY (tcp6_usr_bind() gives it INP_IPV4 on ::). */
  v4v6: boolean;
  /** Empty for the wildcard address. */
  address: string;
  transport: 'tcp' | 'udp';
  from: number;
  to: number;
}

const WILDCARDS = new Set(['', '*', '0.0.0.0', '::']);

/**
 * Whether a frontend's IPv6 sockets take IPv4 too: HAProxy clears IPV6_V6ONLY
 * for `v4v6` among its bind options unless `v6only` is there too, and else
 * sets it, FreeBSD's default (sock_inet_bind_receiver() in src/sock_inet.c).
 */
function takesIpv4(bindOptions: string): boolean {
  const words = bindOptions.trim().split(/\s+/);
  return words.includes('v4v6') && !words.includes('v6only');
}

/**
 * One entry of a frontend's bind list (CSVListField): [ipv4@|ipv6@|quic4@|quic6@]address:port[-port], [v6]:port,
 * or unix@name. A prefix sets the family, of the wildcard too (`ipv6@:443` is ::), and HAProxy refuses an address
 * of the other family; without one, the empty address and * are 0.0.0.0 (str2sa_range(), str2ip2() in src/tools.c).
 * str2sa_range()'s other prefixes (tcp@, udp6@, mptcp@, ip@, stream+, fd@, abns@...) are not read: the plugin's model
 * refuses them (HAProxy.xml, the bind Mask, lets '@' through in quic4@, quic6@ and unix@ only, and no '+'), as it does
 * ipv4@ and ipv6@, read all the same.
 */
function parseBind(frontend: string, gen: boolean, text: string, v4v6 = false): Bind | undefined {
  const entry = text.trim();
  if (entry === '' || entry.startsWith('unix@')) return undefined;
  const prefix = /^(quic|ipv)([46])@/.exec(entry);
  const rest = prefix ? entry.slice(prefix[0].length) : entry;
  const match = /^(.*):([0-9]+)(?:-([0-9]+))?$/.exec(rest);
  if (!match) return undefined;
  const written = match[1]!.replace(/^\[(.*)\]$/, '$1');
  // By value, as HAProxy binds it (str2sa_range(): inet_pton): fd00:0::1 is fd00::1, and 0::0 the wildcard.
  const key = addressKey(written);
  const family: Bind['family'] = prefix ? (prefix[2] === '6' ? 'inet6' : 'inet') : key.includes(':') ? 'inet6' : 'inet';
  // An IP address of the other family than the prefix's (a host name has no colon).
  if (family === 'inet' ? key.includes(':') : ipaddr.IPv4.isValidFourPartDecimal(written)) return undefined;
  const dual = v4v6 && family === 'inet6';
  // FreeBSD binds an IPv4-mapped address of a socket without IPV6_V6ONLY as that IPv4 address (tcp6_usr_bind(): in_pcbbind()).
  const v6 = dual ? parseIPv6(written) : undefined;
  const v4 = v6?.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : undefined;
  const address = v4 ?? key;
  const from = Number(match[2]);
  return {
    frontend,
    gen,
    text: entry,
    family: v4 === undefined ? family : 'inet',
    v4v6: dual,
    address: WILDCARDS.has(address) ? '' : address,
    transport: prefix?.[1] === 'quic' ? 'udp' : 'tcp',
    from,
    to: match[3] === undefined ? from : Number(match[3]),
  };
}

/** A bind on the wildcard whose socket takes IPv4 from AF_INET6 (v4v6): FreeBSD puts it in no SO_REUSEPORT_LB group, and looks it up last. */
function mappedWildcard(b: Bind): boolean {
  return b.v4v6 && b.address === '';
}

/**
 * A bind of IPv4 from a socket of AF_INET6 (an IPv4-mapped address, v4v6): its socket keeps INP_IPV6PROTO
 * (in_pcballoc()), so in_pcbinslbgrouphash(), which matches il_vflag, puts it in another group than AF_INET's.
 */
function fromInet6(b: Bind): boolean {
  return b.v4v6 && b.family === 'inet';
}

/** The families of the connections a bind's socket takes: IPv4 too on :: without IPV6_V6ONLY. */
function takenFamilies(b: Bind): Bind['family'][] {
  return b.family === 'inet6' && mappedWildcard(b) ? ['inet', 'inet6'] : [b.family];
}

const FAMILY_NAMES: Record<Bind['family'], string> = { inet: 'IPv4', inet6: 'IPv6', unix: 'UNIX' };

/**
 * The frontends that listen: the plugin's template writes those whose
 * enabled is 1 into haproxy.conf, and one without the field gets 1, the
 * model's default, on the plugin's next save; only 0 keeps one out.
 */
function listeningFrontends(haproxy: XmlElement | undefined): XmlElement[] {
  return childrenNamed(child(haproxy, 'frontends'), 'frontend').filter((f) => fieldText(f, 'enabled') !== '0');
}

/** The enabled frontends of an enabled HAProxy, with their binds. */
function haproxyBinds(root: XmlElement, isGen: (uuid: string) => boolean = () => false): Bind[] {
  const haproxy = child(child(root, 'OPNsense'), 'HAProxy');
  if (fieldText(child(haproxy, 'general'), 'enabled') !== '1') return [];
  return listeningFrontends(haproxy).flatMap((f) => {
    const v4v6 = takesIpv4(fieldText(f, 'bindOptions'));
    return fieldText(f, 'bind').split(',').flatMap((text) => parseBind(fieldText(f, 'name'), isGen(attr(f, 'uuid') ?? ''), text, v4v6) ?? []);
  });
}

/**
 * Whether HAProxy's listening sockets join SO_REUSEPORT_LB groups: unless
 * the custom options of its global section (general.tuning.customOptions,
 * written line by line into `global` by the plugin's haproxy.conf) hold
 * `noreuseport` (cfgparse-global.c clears PROTO_F_REUSEPORT_SUPPORTED).
 */
function reusesPort(root: XmlElement): boolean {
  const tuning = child(child(child(child(root, 'OPNsense'), 'HAProxy'), 'general'), 'tuning');
  return !fieldText(tuning, 'customOptions').split('\n').some((line) => line.trim().split(/\s+/)[0] === 'noreuseport');
}

/** OPNsense's key of the WAN, always `wan`. */
const WAN = 'wan';
/** Where the loopback's addresses are, in messages. */
const LOOPBACK = 'the loopback';

/** Where the web GUI listens: on every interface, or on chosen ones. */
interface GuiListen {
  ports: Map<number, string>;
  /** Every interface: lighttpd binds 0.0.0.0 and ::. Chosen ones: their addresses, the WAN's too when it is one of them. */
  everywhere: boolean;
  onWan: boolean;
  /** On chosen interfaces: each address lighttpd binds that the config holds, with its interface's key (or the loopback). */
  addresses: Map<string, string>;
  /** Chosen interfaces whose address of a family the config does not hold (DHCP, PPPoE, track6...): key and the field's text. */
  dynamic: Record<Bind['family'], { key: string; field: string; type: string }[]>;
}

/**
 * Ports the web GUI listens on, from the base's <system><webgui>: its port
 * (443 for https, 80 for http when empty) and, for https, 80 for its
 * redirect unless that is disabled. A GUI bound to chosen interfaces
 * listens on their addresses only: webgui_configure_do() in
 * plugins.inc.d/webgui.inc (25.7 to 26.7) puts lo0 before the listed
 * interfaces and binds lighttpd to each address interfaces_addresses()
 * finds on their devices but those of a VIP that denies service binding
 * (and tentative IPv6 ones); with none listed, to 0.0.0.0 and ::.
 */
function guiListen(root: XmlElement): GuiListen {
  const webgui = child(child(root, 'system'), 'webgui');
  const listed = fieldText(webgui, 'interfaces');
  const everywhere = listed === '';
  const keys = everywhere ? [] : listed.split(',').map((k) => k.trim()).filter((k) => k !== '');
  const onWan = everywhere || keys.includes(WAN);
  const addresses = new Map<string, string>();
  for (const key of keys) for (const address of listenedAddresses(root, new Set([key]), true)) if (!addresses.has(address)) addresses.set(address, key);
  // lo0's, whichever interfaces are listed.
  if (!everywhere) for (const address of ['127.0.0.1', '::1']) addresses.set(address, LOOPBACK);
  const dynamic: GuiListen['dynamic'] = { inet: [], inet6: [], unix: [] };
  for (const key of keys) {
    const entry = child(child(root, 'interfaces'), key);
    if (!interfaceEnabled(entry) || fieldText(entry, 'if') === '') continue;
    for (const [family, field] of [['inet', 'ipaddr'], ['inet6', 'ipaddrv6']] as const) {
      const type = fieldText(entry, field);
      if (type !== '' && !ipaddr.isValid(type)) dynamic[family].push({ key, field, type });
    }
  }
  const ports = new Map<number, string>();
  const { gui: port, redirect } = webGuiPorts({ https: fieldText(webgui, 'protocol') !== 'http', port: fieldText(webgui, 'port'), redirectDisabled: child(webgui, 'disablehttpredirect') !== undefined });
  ports.set(port, `the web GUI (TCP port ${port})`);
  if (redirect !== undefined && redirect !== port) ports.set(redirect, "the web GUI's HTTP redirect");
  return { ports, everywhere, onWan, addresses, dynamic };
}

/**
 * HAProxy left enabled with no enabled frontend (merge removed gen's, and the
 * box has none of its own, or only disabled ones): it exits at start ("No
 * enabled listener found").
 */
export function idleHaproxy(root: XmlElement): string[] {
  const haproxy = child(child(root, 'OPNsense'), 'HAProxy');
  if (fieldText(child(haproxy, 'general'), 'enabled') !== '1' || listeningFrontends(haproxy).length > 0) return [];
  return ['HAProxy is still enabled and has no enabled frontend left, so it will not start: disable it (Services › HAProxy › Settings), or add or enable a frontend'];
}

/**
 * HAProxy frontends on a port of the web GUI that cannot both work: on an
 * address the GUI holds (0.0.0.0 when it listens on every interface; on
 * chosen interfaces, theirs and the loopback's), where lighttpd without
 * SO_REUSEPORT makes the later bind fail; or on the wildcard beside a GUI on
 * chosen interfaces, where HAProxy's SO_REUSEPORT_LB group takes every
 * connection of its socket's family to the port, those to the GUI's
 * addresses of that family too (without a group, the GUI's more specific
 * sockets keep theirs, and only a GUI on the WAN then takes what the WAN
 * pass lets in). The GUI's loopback addresses alone are not counted: only
 * the box itself reaches them.
 */
export function guiConflicts(root: XmlElement): string[] {
  const gui = guiListen(root);
  const grouped = reusesPort(root);
  const out: string[] = [];
  for (const bind of haproxyBinds(root)) {
    if (bind.transport !== 'tcp') continue;
    // The interface (or the loopback) of a specific address the GUI binds.
    const holds = bind.address === '' ? undefined : gui.addresses.get(bind.address);
    const held = bind.address === '' ? gui.everywhere : holds !== undefined;
    const lb = grouped && !mappedWildcard(bind);
    // A wildcard's group meets the GUI's addresses of its family; a wildcard without one, the GUI's on the WAN of the families it takes.
    if (!held && (bind.address !== '' || (lb ? !guiHolds(gui, bind.family) : !takenFamilies(bind).some((f) => guiHolds(gui, f, WAN))))) continue;
    for (const [port, holder] of gui.ports) {
      if (port < bind.from || port > bind.to) continue;
      const where = gui.everywhere ? 'every interface' : gui.onWan ? 'the WAN' : 'its chosen interfaces';
      const redirect = port === 80 ? ', or disable its HTTP redirect (<webgui><disablehttpredirect>)' : '';
      if (!held && lb) {
        const [family, other] = bind.family === 'inet' ? ['IPv4', 'IPv6'] : ['IPv6', 'IPv4'];
        out.push(
          `HAProxy frontend ${bind.frontend} binds ${bind.text}, and ${holder} listens on port ${port} of ${where}: HAProxy's socket joins an SO_REUSEPORT_LB group, which FreeBSD looks up ` +
            `before the web GUI's sockets, so HAProxy would take every ${family} connection to port ${port}, those to the web GUI's ${family} addresses too, and the web GUI would not answer at them ` +
            `(its ${other} addresses keep theirs: an ${family} socket's group takes no ${other} connection). ` +
            `In System > Settings > Administration give the web GUI another TCP port (<webgui><port>)${redirect}; or bind the frontend to one address`,
        );
        continue;
      }
      if (holds !== undefined && holds !== WAN) {
        // lighttpd binds first at boot (the 'early' configure of rc.bootup, before rc.syshook starts HAProxy); restarted while HAProxy runs, it is refused and exits.
        const on = holds === LOOPBACK ? `${bind.address} (the loopback, where it listens whenever it has listen interfaces)` : `${bind.address} (one of ${holds}'s addresses, ${holds} being one of its listen interfaces)`;
        const fewer = holds === LOOPBACK ? '' : ` or listen interfaces without ${holds} (<webgui><interfaces>)`;
        out.push(
          `HAProxy frontend ${bind.frontend} binds ${bind.text}, but ${holder} listens on port ${port} of ${on}: lighttpd sets no SO_REUSEPORT, so FreeBSD refuses the later of the two binds: ` +
            `HAProxy would not start, or the web GUI would not when it restarts. In System > Settings > Administration give the web GUI another TCP port (<webgui><port>)${fewer}${redirect}; ` +
            `or bind the frontend to another address`,
        );
        continue;
      }
      const effect = held ? 'HAProxy would not start' : 'HAProxy would not get the connections to the WAN address';
      out.push(
        `HAProxy frontend ${bind.frontend} binds ${bind.text}, but ${holder} listens on port ${port} of ${where}: ${effect}, and the WAN pass to port ${port} ` +
          // Only the LAN as the GUI's interfaces would hand its port to an SO_REUSEPORT_LB wildcard, as above.
          `would reach the web GUI. In System > Settings > Administration give the web GUI another TCP port (<webgui><port>)` +
          `${lb ? '' : ' or only the LAN as listen interfaces (<webgui><interfaces>)'}${redirect}; or bind the frontend to one address`,
      );
    }
  }
  return out;
}

/**
 * Whether a GUI on chosen interfaces listens at an address of `family` (of
 * the interface `key`, or any) but the loopback's: one the config holds, or
 * one an interface takes at run time (DHCP, PPPoE, track6...).
 */
function guiHolds(gui: GuiListen, family: Bind['family'], key?: string): boolean {
  const ofKey = (k: string) => (key === undefined ? k !== LOOPBACK : k === key);
  return [...gui.addresses].some(([address, k]) => ofKey(k) && (address.includes(':') ? 'inet6' : 'inet') === family) || gui.dynamic[family].some((d) => ofKey(d.key));
}

/**
 * HAProxy frontends on a port of a web GUI on chosen interfaces, bound to an
 * address the config places on no interface while one of those interfaces
 * takes its address of that family at run time (DHCP, PPPoE, track6...):
 * lighttpd binds what the interface has when it starts, which may be the
 * frontend's address, or not. Said, not refused: merge cannot tell.
 */
export function guiUncheckedBinds(root: XmlElement): string[] {
  const gui = guiListen(root);
  if (gui.everywhere) return [];
  const known = listenedAddresses(root, new Set());
  const out: string[] = [];
  for (const bind of haproxyBinds(root)) {
    const dynamic = gui.dynamic[bind.family];
    if (bind.transport !== 'tcp' || bind.address === '' || gui.addresses.has(bind.address) || known.has(bind.address) || dynamic.length === 0) continue;
    const which = dynamic.map((d) => `${d.key} (<${d.field}>${d.type}</${d.field}>)`).join(', ');
    for (const [port, holder] of gui.ports) {
      if (port < bind.from || port > bind.to) continue;
      out.push(
        `HAProxy frontend ${bind.frontend} binds ${bind.text}, and ${holder} listens on port ${port} of the addresses its listen interfaces have when it starts, and ${which} ${dynamic.length === 1 ? 'takes its address' : 'take theirs'} at run time: ` +
          `merge cannot tell whether that is ${bind.address}. If it is, lighttpd sets no SO_REUSEPORT, so FreeBSD refuses the later of the two binds: HAProxy would not start, or the web GUI would not when it restarts; ` +
          `then give the web GUI another TCP port (<webgui><port>) in System > Settings > Administration, or bind the frontend to another address`,
      );
    }
  }
  return out;
}

/** Whether two binds of one family and transport share a port. */
function sharePort(o: Bind, b: Bind): boolean {
  return o.from <= b.to && b.from <= o.to;
}

/** Whether two binds of one family and transport take a port of the same address (the wildcard covers every address of its family). */
function clashing(o: Bind, b: Bind): boolean {
  return sharePort(o, b) && (o.address === b.address || o.address === '' || b.address === '');
}

/** Whether two binds of one family and transport take a port of one address by the same text's value (both the wildcard, or one address). */
function duplicate(o: Bind, b: Bind): boolean {
  return sharePort(o, b) && o.address === b.address;
}

/**
 * The binds seen so far, to find the first that clashes with another, or
 * each (compared with each before it, a bind per frontend made the work
 * frontends × frontends). A bind of one port is looked up by its port;
 * port ranges, rare, are compared with each other one by one.
 */
class EarlierBinds {
  private readonly binds: Bind[] = [];
  /** The binds of one port (indices, in order), by family, transport, address and port; and by family, transport and port of any address. */
  private readonly byAddress = new Map<string, number[]>();
  private readonly byPort = new Map<string, number[]>();
  /** The binds of one port, and those of a range, by family and transport (indices, in order). */
  private readonly single = new Map<string, number[]>();
  private readonly ranges = new Map<string, number[]>();

  /** The first bind seen on a port of `b` and of its address (`exact`), or of its address or the wildcard. */
  first(b: Bind, exact: boolean): Bind | undefined {
    return this.binds[this.indices(b, exact, true).reduce((x, y) => Math.min(x, y), Infinity)];
  }

  /** Every bind seen on a port of `b` and of its address or the wildcard, in order. */
  all(b: Bind): Bind[] {
    return this.indices(b, false, false)
      .sort((x, y) => x - y)
      .map((i) => this.binds[i]!);
  }

  add(b: Bind): void {
    const index = this.binds.push(b) - 1;
    const group = `${b.family} ${b.transport}`;
    if (b.from !== b.to) {
      addToList(this.ranges, group, index);
      return;
    }
    addToList(this.single, group, index);
    addToList(this.byAddress, JSON.stringify([group, b.address, b.from]), index);
    addToList(this.byPort, JSON.stringify([group, b.from]), index);
  }

  /** The binds that match `b` (`exact`: of its address only), unordered; the first of each list only (`firstOnly`), which holds the first of all. */
  private indices(b: Bind, exact: boolean, firstOnly: boolean): number[] {
    const group = `${b.family} ${b.transport}`;
    const matches = (i: number) => (exact ? duplicate : clashing)(this.binds[i]!, b);
    const ranges = (this.ranges.get(group) ?? []).filter(matches);
    const found = firstOnly ? ranges.slice(0, 1) : ranges;
    const singles = this.single.get(group) ?? [];
    if (b.to - b.from >= singles.length) {
      const hits = singles.filter(matches);
      return found.concat(firstOnly ? hits.slice(0, 1) : hits);
    }
    for (let port = b.from; port <= b.to; port++) {
      for (const list of this.onPort(group, b.address, port, exact)) for (const i of firstOnly ? list.slice(0, 1) : list) found.push(i);
    }
    return found;
  }

  /** The lists of binds of one port that take `port` of `address`: of that address, or (not `exact`) the wildcard, or of any address for the wildcard (''). */
  private onPort(group: string, address: string, port: number, exact: boolean): number[][] {
    const same = this.byAddress.get(JSON.stringify([group, address, port])) ?? [];
    if (exact) return [same];
    if (address === '') return [this.byPort.get(JSON.stringify([group, port])) ?? []];
    return [same, this.byAddress.get(JSON.stringify([group, '', port])) ?? []];
  }
}

/**
 * Two enabled frontends on an overlapping port of one address. With
 * SO_REUSEPORT_LB both bind it, into one group, and FreeBSD hands each
 * connection to one of the group's sockets by a hash of the client's
 * address and ports (in_pcblookup_lbgroup(): INP_PCBLBGROUP_PKTHASH); two
 * binds of one frontend then serve it alike. An IPv4-mapped address bound
 * from AF_INET6 (v4v6) and the same address from AF_INET make two groups,
 * and in_pcblookup_lbgroup() keeps one group of the address for every
 * connection (the last in the hash chain, where new groups go first, for a
 * packet of no NUMA domain; else the first), so one of the two frontends
 * gets them all. A socket on :: that takes IPv4
 * (v4v6) joins no group: beside another on the wildcard, it gets none of the
 * connections the other's group or AF_INET socket takes. With `noreuseport`
 * the later bind fails with EADDRINUSE, and HAProxy does not start; so does
 * a bind of 0.0.0.0 after one of :: that takes IPv4 (in_pcbbind_setup()),
 * while the other order binds (in6_pcbbind()).
 */
export function bindClashes(root: XmlElement): string[] {
  const grouped = reusesPort(root);
  const binds = haproxyBinds(root);
  const earlier = new EarlierBinds();
  const out: string[] = [];
  const fix = 'Give one of them another port or address, or disable it (Services > HAProxy > Settings > Virtual Services)';
  const ungrouped = 'FreeBSD puts a socket on :: that takes IPv4 (v4v6) into no SO_REUSEPORT_LB group';
  for (const b of binds) {
    const clash = earlier.first(b, true);
    earlier.add(b);
    if (!clash || (grouped && clash.frontend === b.frontend)) continue;
    if (grouped && (mappedWildcard(b) || mappedWildcard(clash))) {
      const pair = `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) listen on the same port of the same address`;
      const [mapped, other] = mappedWildcard(clash) ? [clash, b] : [b, clash];
      const effect = mappedWildcard(other)
        ? 'and hands every connection to the same one of them: the other frontend gets none'
        : `and hands each ${FAMILY_NAMES[other.family]} connection to ${other.frontend}'s group: ${mapped.frontend} gets none of them`;
      out.push(`${pair}: both bind it, but ${ungrouped}, ${effect}. ${fix}`);
      continue;
    }
    if (grouped && fromInet6(b) !== fromInet6(clash)) {
      out.push(
        `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) listen on the same port of the same address: both bind it, but FreeBSD puts a socket of AF_INET6 on an IPv4-mapped address (v4v6) ` +
          `into another SO_REUSEPORT_LB group than one of AF_INET, and hands every connection to the same one of the two groups: the other frontend gets none. ${fix}`,
      );
      continue;
    }
    if (grouped) {
      out.push(
        `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) listen on the same port of the same address: HAProxy sets SO_REUSEPORT_LB on both sockets, ` +
          `so both bind it, and FreeBSD hands each connection to one of them by a hash of the client's address and port: each frontend gets some of them. ${fix}`,
      );
      continue;
    }
    const who = clash.frontend === b.frontend ? `HAProxy frontend ${b.frontend} binds both ${clash.text} and ${b.text}` : `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) listen on the same port`;
    out.push(`${who}: with noreuseport in HAProxy's custom options (Services > HAProxy > Settings > Global Parameters) FreeBSD refuses the second bind, and HAProxy would not start. ${fix}`);
  }
  // 0.0.0.0 beside :: that takes IPv4: both take IPv4, which the comparison by family above does not see.
  const ipv4 = new EarlierBinds();
  const original = new Map<Bind, Bind>();
  for (const b of binds) {
    const plain = b.family === 'inet' && !mappedWildcard(b);
    if (b.address !== '' || b.transport !== 'tcp' || !(plain || (b.family === 'inet6' && mappedWildcard(b)))) continue;
    const view: Bind = Object.assign({}, b, { family: 'inet' as const });
    original.set(view, b);
    const seen = ipv4.first(view, true);
    ipv4.add(view);
    const clash = seen && original.get(seen)!;
    if (!clash || clash.family === b.family || (grouped && clash.frontend === b.frontend)) continue;
    const [mapped] = b.family === 'inet6' ? [b, clash] : [clash, b];
    const ports = portsOf(b, clash);
    if (grouped) {
      out.push(
        `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) both take the IPv4 connections to ${ports}: both bind it, but ${ungrouped}, ` +
          `and hands an IPv4 connection to the socket on 0.0.0.0 (or its group) before the one on ::, so ${mapped.frontend} gets only the IPv6 connections. ${fix}`,
      );
      continue;
    }
    const who = clash.frontend === b.frontend ? `HAProxy frontend ${b.frontend} binds both ${clash.text} and ${b.text}` : `HAProxy frontends ${clash.frontend} (${clash.text}) and ${b.frontend} (${b.text}) both take the IPv4 connections to ${ports}`;
    out.push(
      `${who}: with noreuseport in HAProxy's custom options (Services > HAProxy > Settings > Global Parameters) FreeBSD refuses a bind of 0.0.0.0 after one of :: that takes IPv4 (v4v6), ` +
        `and HAProxy would not start; in the other order the socket on 0.0.0.0 gets every IPv4 connection, and ${mapped.frontend} only the IPv6 ones. ${fix}`,
    );
  }
  return out;
}

/** The ports two binds share, in messages. */
function portsOf(a: Bind, b: Bind): string {
  const [from, to] = [Math.max(a.from, b.from), Math.min(a.to, b.to)];
  return from === to ? `port ${from}` : `ports ${from}-${to}`;
}

/** A bind's frontend and text, in messages of binds of gen and the box. */
function shadowLabel(b: Bind): string {
  return `${b.gen ? "gen's" : "the base's"} HAProxy frontend ${b.frontend} (${b.text})`;
}

/**
 * A frontend on an address beside one on the wildcard, on an overlapping
 * port: both bind it, and FreeBSD hands a connection to the socket (or
 * SO_REUSEPORT_LB group) of its address before the wildcard's, so the
 * wildcard frontend gets none of that address's; an IPv4 address beside
 * :: that takes IPv4 (v4v6) alike. Said of each wildcard of another
 * frontend on the port, where one of the two is gen's (the wildcards of
 * the box's own, which a port range may meet beside gen's, do not hide
 * gen's); two of the box's own are the box's business.
 */
export function bindShadows(root: XmlElement, isGen: (uuid: string) => boolean): string[] {
  const binds = haproxyBinds(root, isGen);
  // Only wildcard binds in them, every one and gen's: each that takes a port of a specific bind is its wildcard. One on :: that takes
  // IPv4 (v4v6) counts for IPv4 too: in_pcblookup_hash_wild_locked() hands it an IPv4 connection after a socket on its address.
  const wildcards = new EarlierBinds();
  const gens = new EarlierBinds();
  for (const b of binds) {
    if (b.address !== '') continue;
    for (const family of takenFamilies(b)) {
      const view: Bind = Object.assign({}, b, { family });
      wildcards.add(view);
      if (b.gen) gens.add(view);
    }
  }
  const out: string[] = [];
  for (const s of binds) {
    if (s.address === '') continue;
    // gen's bind meets every wildcard; the box's, gen's only.
    for (const w of (s.gen ? wildcards : gens).all(s)) {
      if (w.frontend === s.frontend) continue;
      out.push(
        `${shadowLabel(s)} takes the connections to ${s.address} on ${portsOf(s, w)}, and ${shadowLabel(w)} only those to other addresses: FreeBSD hands a connection to a socket bound to its address ` +
          `before one bound to the wildcard. If ${w.frontend} is to answer at ${s.address} too, give ${s.frontend} another port or disable it (Services > HAProxy > Settings > Virtual Services)`,
      );
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
