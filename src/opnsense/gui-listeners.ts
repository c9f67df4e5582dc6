// The web GUI (<system><webgui>) and HAProxy frontends on one of its ports
// in the merged configuration: which binds fail or take the GUI's
// connections (FreeBSD's rules: haproxy-binds.ts).
import { type XmlElement, child } from '../render/opnsense/xml.js';
import { webGuiPorts } from '../targets/opnsense/webgui.js';
import { fieldAsWritten, fieldList, fieldText } from './fields.js';
import { listenedAddresses } from './listened-addresses.js';
import { interfaceEnabled } from './interface-enabled.js';
import { type Bind, NAME_RESOLVED, haproxyBinds, mappedWildcard, reusesPort, takenFamilies } from './haproxy-binds.js';
import { RUN_TIME_V4 } from '../targets/opnsense/address-types.js';
import { type Ipv6Facts, ipv6RunTime } from './ipv6-allowed.js';

/** OPNsense's key of the WAN, always `wan`. */
const WAN = 'wan';
/** Where the loopback's addresses are, in messages. */
const LOOPBACK = 'the loopback';

/** Where the web GUI listens: on every interface, or on chosen ones. */
export interface GuiListen {
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
export function guiListen(root: XmlElement, ipv6: Ipv6Facts): GuiListen {
  const webgui = child(child(root, 'system'), 'webgui');
  const everywhere = fieldText(webgui, 'interfaces') === '';
  const keys = fieldList(webgui, 'interfaces');
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
      const type = fieldAsWritten(entry, field);
      // Only these types give the interface an address the config does not hold (linklocal its link-local one, which
      // interfaces_addresses() lists), the IPv6 ones only of the release and with IPv6 on, and not slaac, dhcp6 or
      // linklocal on a bridge without a link-local address; any other text is a static address or none
      // (address-types.ts, ipv6-allowed.ts). 6rd's and 6to4's is on the <key>_stf device, which lighttpd binds too:
      // interfaces_addresses() reads get_real_interface($interface, 'inet6') beside the interface's device.
      if (family === 'inet' ? RUN_TIME_V4.has(type) : ipv6RunTime(root, entry, ipv6) !== undefined) dynamic[family].push({ key, field, type });
    }
  }
  const ports = new Map<number, string>();
  const { gui: port, redirect } = webGuiPorts({ https: fieldText(webgui, 'protocol') !== 'http', port: fieldText(webgui, 'port'), redirectDisabled: child(webgui, 'disablehttpredirect') !== undefined });
  ports.set(port, `the web GUI (TCP port ${port})`);
  if (redirect !== undefined && redirect !== port) ports.set(redirect, "the web GUI's HTTP redirect");
  return { ports, everywhere, onWan, addresses, dynamic };
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
export function guiConflicts(root: XmlElement, ipv6: Ipv6Facts, binds: readonly Bind[] = haproxyBinds(root), gui: GuiListen = guiListen(root, ipv6)): string[] {
  const grouped = reusesPort(root);
  const out: string[] = [];
  for (const bind of binds) {
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
export function guiUncheckedBinds(root: XmlElement, ipv6: Ipv6Facts, binds: readonly Bind[] = haproxyBinds(root), gui: GuiListen = guiListen(root, ipv6)): string[] {
  if (gui.everywhere) return [];
  const known = listenedAddresses(root, new Set());
  const out: string[] = [];
  for (const bind of binds) {
    if (bind.transport === 'tcp' && bind.name) {
      for (const message of namedBindWarnings(gui, bind)) out.push(message);
      continue;
    }
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

/**
 * A frontend that binds a host name on a port of a web GUI on chosen
 * interfaces: HAProxy binds the address getaddrinfo() gives for it when it
 * starts (the box's /etc/hosts, then its DNS; none, and HAProxy does not
 * start), which may be one lighttpd binds (its listen interfaces' addresses
 * and the loopback's: `localhost` is one), or not. Said, not refused: merge
 * cannot tell.
 */
function namedBindWarnings(gui: GuiListen, bind: Bind): string[] {
  const interfaces = [...new Set([...gui.addresses.values(), ...gui.dynamic.inet.map((d) => d.key), ...gui.dynamic.inet6.map((d) => d.key)].filter((key) => key !== LOOPBACK))];
  const of = interfaces.length === 0 ? 'the loopback' : `${interfaces.join(', ')} and the loopback`;
  const out: string[] = [];
  for (const [port, holder] of gui.ports) {
    if (port < bind.from || port > bind.to) continue;
    out.push(
      `HAProxy frontend ${bind.frontend} binds ${bind.text}, and ${holder} listens on port ${port} of the addresses of ${of}: ${bind.address} is a host name, ` +
        `${NAME_RESOLVED}, so merge cannot tell whether it is one of them. ` +
        `If it is, lighttpd sets no SO_REUSEPORT, so FreeBSD refuses the later of the two binds: HAProxy would not start, or the web GUI would not when it restarts; ` +
        `bind the frontend to an address instead of a name, or give the web GUI another TCP port (<webgui><port>) in System > Settings > Administration`,
    );
  }
  return out;
}
