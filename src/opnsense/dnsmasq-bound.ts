// Which of the firewall's addresses the box's dnsmasq answers DNS at, for the
// clients its DHCP serves (devices it listens on). OPNsense's dnsmasq.conf
// template (25.7 to 26.7) writes bind-interfaces when <dnsmasq><strictbind>
// is exactly 1, and interface= with the devices of the listed interfaces.
// Without it dnsmasq binds the wildcard (network.c create_wildcard_listeners())
// and answers a query that arrives on a device it listens on, whichever of the
// box's addresses it is sent to (forward.c receive_query(): iface_check() of
// the arrival device). With it, it binds each address of the listed devices
// and the loopback (create_bound_listeners(): the addresses iface_allowed()
// lets through iface_check()), so a query sent to an address of another
// interface reaches no dnsmasq socket; with no interface= line every device
// is listed. The addresses dnsmasq puts in place of 0.0.0.0, [::], [fd00::]
// and [fe80::] are those of the link its DHCP serves, which it listens on.
import { type XmlElement, child, textOf } from '../render/opnsense/xml.js';
import { fieldList } from './fields.js';
import { dnsmasqAnswers } from './dnsmasq-answer.js';
import { listenedAddresses } from './listened-addresses.js';

/**
 * Where the box's dnsmasq answers DNS on port 53 for its DHCP clients: at the served link's own addresses (those it
 * puts in place of 0.0.0.0 and [::]), and at which of the box's addresses written out (as addressKey() writes them;
 * `every`: at all of them).
 */
export interface DnsmasqDnsAt {
  links: boolean;
  every: boolean;
  written: ReadonlySet<string>;
}

/** Whether `root`'s dnsmasq.conf holds bind-interfaces (Strict interface binding): dnsmasq binds no wildcard. */
export function dnsmasqBindsAddresses(root: XmlElement): boolean {
  return textOf(child(child(root, 'dnsmasq'), 'strictbind')) === '1';
}

/**
 * The addresses (as addressKey() writes them) dnsmasq binds with bind-interfaces: those the box configures on the
 * listed devices (an enabled interface's, with its IP alias and CARP VIPs; every device's when none is listed) and the
 * loopback's, which dnsmasq adds to any list of interfaces (network.c iface_allowed()).
 */
export function dnsmasqBoundAddresses(root: XmlElement): Set<string> {
  return listenedAddresses(root, new Set(fieldList(child(root, 'dnsmasq'), 'interface')));
}

/** Where `root`'s dnsmasq answers DNS (DnsmasqDnsAt): nowhere unless on port 53; everywhere with the wildcard. */
export function dnsmasqDnsAt(root: XmlElement): DnsmasqDnsAt {
  if (!dnsmasqAnswers(root)) return { links: false, every: false, written: new Set() };
  if (!dnsmasqBindsAddresses(root) || fieldList(child(root, 'dnsmasq'), 'interface').length === 0) return { links: true, every: true, written: new Set() };
  // Not the loopback, which names the client itself when handed out.
  const written = dnsmasqBoundAddresses(root);
  for (const loopback of ['127.0.0.1', '::1']) written.delete(loopback);
  return { links: true, every: false, written };
}
