// A filter rule gen writes, as pf shows it once loaded (`pfctl -P -sr`):
// what the verification script compares the box's rule of the same label
// with. A label alone proves little: an MVC rule keeps its uuid (its label)
// through any edit in the GUI.
//
// OPNsense compiles the rule (OPNsense\Firewall\FilterRule, Rule.php
// mapAddressInfo(): an interface key is "(dev:network)", "<key>ip" is
// "(dev)", an alias "$name" for its table <name>, a port range a-b is
// "a:b", tcp/udp is "{tcp udp}"); pfctl parses that (parse.y expand_rule():
// one rule per protocol of a list; "flags S/SA" by default on stateful
// rules, cleared for any protocol but tcp) and prints it back (sbin/pfctl
// pfctl_parser.c print_rule(), print_fromto(), print_port(); pf_print_state.c
// print_addr()): action ("block drop" under the default block policy), in,
// log, quick, on IF, inet, proto P, "all" or from/to with "!" and
// "port = N" or "port a:b" (-P: numbers, not service names), flags, state,
// label. reply-to is left out: OPNsense adds it from the interface's
// gateway of the moment (FilterRule::convertReplyTo()), which a DHCP WAN
// learns at run time; the script drops it from what pf shows.
import { formatIPv4, parseIPv4 } from '../../net.js';
import { LaidOutItem, type XmlElement, firstChildren, isElement, textOf } from './xml.js';

interface Endpoint {
  net: string;
  not: boolean;
  port: string;
}

/** A rule's fields, whichever form (legacy <filter><rule>, MVC rule) wrote it. */
interface RuleFields {
  action: string;
  direction: string;
  log: boolean;
  quick: boolean;
  iface: string;
  family: string;
  protocol: string;
  state: string;
  source: Endpoint;
  destination: Endpoint;
}

/** A field of a rule: its element, or its text (a rule written from its layout, read without making its children). */
export type RuleField = XmlElement | string;

/** The text of a rule's field (empty when it has none). */
export function ruleFieldText(field: RuleField | undefined): string {
  return typeof field === 'string' ? field : textOf(field);
}

const trimmed = (e: RuleField | undefined) => ruleFieldText(e).trim();

/** The children of a rule that its pf text and its description are read from, the first of each name (child()'s choice). */
export interface RuleChildren {
  action?: RuleField;
  type?: RuleField;
  direction?: RuleField;
  log?: RuleField;
  quick?: RuleField;
  interface?: RuleField;
  ipprotocol?: RuleField;
  protocol?: RuleField;
  statetype?: RuleField;
  source?: RuleField;
  destination?: RuleField;
  source_net?: RuleField;
  source_not?: RuleField;
  source_port?: RuleField;
  destination_net?: RuleField;
  destination_not?: RuleField;
  destination_port?: RuleField;
  descr?: RuleField;
  description?: RuleField;
}

/**
 * A rule's RuleChildren in one pass over its children, without a map of
 * them all: an MVC rule has 56, of which its pf text reads a dozen (a map
 * per rule, and a search for each description, were most of reading
 * 20,000 rules for the verification script). Every field starts out
 * undefined, so all rules' objects have one shape.
 */
export function ruleChildren(rule: XmlElement): RuleChildren {
  const r: RuleChildren = {
    action: undefined,
    type: undefined,
    direction: undefined,
    log: undefined,
    quick: undefined,
    interface: undefined,
    ipprotocol: undefined,
    protocol: undefined,
    statetype: undefined,
    source: undefined,
    destination: undefined,
    source_net: undefined,
    source_not: undefined,
    source_port: undefined,
    destination_net: undefined,
    destination_not: undefined,
    destination_port: undefined,
    descr: undefined,
    description: undefined,
  };
  // An item written from its layout is read by field, without making its children (see LaidOutItem).
  if (rule instanceof LaidOutItem && rule.unmade) {
    const names = rule.layout.names;
    for (let i = 0; i < names.length; i++) take(r, names[i]!, rule.fieldText(i));
    return r;
  }
  const children = rule.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (isElement(c)) take(r, c.name, c);
  }
  return r;
}

/** Keeps `field` as the rule's field `name` if it is one RuleChildren names and the first of that name. */
function take(r: RuleChildren, name: string, field: RuleField): void {
  // A switch over the names, not a lookup by a computed key: a few comparisons of interned strings per field.
  switch (name) {
    case 'action':
      r.action ??= field;
      break;
    case 'type':
      r.type ??= field;
      break;
    case 'direction':
      r.direction ??= field;
      break;
    case 'log':
      r.log ??= field;
      break;
    case 'quick':
      r.quick ??= field;
      break;
    case 'interface':
      r.interface ??= field;
      break;
    case 'ipprotocol':
      r.ipprotocol ??= field;
      break;
    case 'protocol':
      r.protocol ??= field;
      break;
    case 'statetype':
      r.statetype ??= field;
      break;
    case 'source':
      r.source ??= field;
      break;
    case 'destination':
      r.destination ??= field;
      break;
    case 'source_net':
      r.source_net ??= field;
      break;
    case 'source_not':
      r.source_not ??= field;
      break;
    case 'source_port':
      r.source_port ??= field;
      break;
    case 'destination_net':
      r.destination_net ??= field;
      break;
    case 'destination_not':
      r.destination_not ??= field;
      break;
    case 'destination_port':
      r.destination_port ??= field;
      break;
    case 'descr':
      r.descr ??= field;
      break;
    case 'description':
      r.description ??= field;
      break;
    }
}

function legacyEndpoint(e: RuleField | undefined): Endpoint {
  const c = firstChildren(typeof e === 'string' ? undefined : e);
  const net = c.has('any') ? 'any' : trimmed(c.get('network')) || trimmed(c.get('address')) || 'any';
  return { net, not: trimmed(c.get('not')) === '1', port: trimmed(c.get('port')) };
}

function fields(c: RuleChildren): RuleFields {
  // MVC rules (FilterRuleField) have <action>, protocols upper case and statetype "keep".
  const mvc = c.action !== undefined;
  return {
    action: trimmed(mvc ? c.action : c.type),
    direction: trimmed(c.direction),
    log: trimmed(c.log) === '1',
    quick: trimmed(c.quick) === '1',
    iface: trimmed(c.interface),
    family: trimmed(c.ipprotocol),
    protocol: trimmed(c.protocol).toLowerCase(),
    state: trimmed(c.statetype).split(' ')[0]!,
    source: mvc ? { net: trimmed(c.source_net) || 'any', not: trimmed(c.source_not) === '1', port: trimmed(c.source_port) } : legacyEndpoint(c.source),
    destination: mvc ? { net: trimmed(c.destination_net) || 'any', not: trimmed(c.destination_not) === '1', port: trimmed(c.destination_port) } : legacyEndpoint(c.destination),
  };
}

/**
 * An IPv4 address or network as pf prints it, in a rule (print_addr()) and in
 * a table (pfctl -T show, print_addrx()): host bits cleared (set_ipmask()),
 * no "/32"; undefined when the text is neither.
 */
export function pfNetwork(value: string): string | undefined {
  const m = /^([0-9.]+)(?:\/(\d{1,2}))?$/.exec(value);
  const address = m ? parseIPv4(m[1]!) : undefined;
  const prefix = m?.[2] === undefined ? 32 : Number(m[2]);
  if (address === undefined || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = formatIPv4((address & mask) >>> 0);
  return prefix === 32 ? base : `${base}/${prefix}`;
}

/** Each net's pf form per device map, worked out once: a site's rules name the same few nets thousands of times. */
const addresses = new WeakMap<ReadonlyMap<string, string>, Map<string, string>>();

function address(net: string, devices: ReadonlyMap<string, string>): string {
  let known = addresses.get(devices);
  if (!known) addresses.set(devices, (known = new Map()));
  let shown = known.get(net);
  if (shown === undefined) known.set(net, (shown = pfAddress(net, devices)));
  return shown;
}

function pfAddress(net: string, devices: ReadonlyMap<string, string>): string {
  if (net === 'any' || net === '(self)') return net;
  const device = devices.get(net);
  if (device !== undefined) return `(${device}:network)`;
  const own = /^(wan|lan|opt[0-9]+)ip$/.exec(net);
  if (own && devices.has(own[1]!)) return `(${devices.get(own[1]!)})`;
  const network = pfNetwork(net);
  // A rule prints a /0 network as "any".
  return network === undefined ? `<${net}>` : network.endsWith('/0') ? 'any' : network;
}

function port(value: string): string {
  if (value === '' || value === 'any') return '';
  const range = value.replace('-', ':');
  return range.includes(':') ? ` port ${range}` : ` port = ${range}`;
}

/**
 * The lines `pfctl -P -sr` prints for a rule gen wrote, without its label
 * (one per protocol of tcp/udp). `devices` maps interface keys (wan, opt1)
 * to devices; any other interface (a group, enc0) is its own name to pf.
 */
export function pfRuleText(rule: XmlElement, devices: ReadonlyMap<string, string>, children = ruleChildren(rule)): string[] {
  const r = fields(children);
  const pass = r.action === '' || r.action === 'pass';
  const head = [pass ? 'pass' : r.action === 'reject' ? 'block return' : 'block drop'];
  if (r.direction === 'in' || r.direction === 'out') head.push(r.direction);
  if (r.log) head.push('log');
  if (r.quick) head.push('quick');
  if (r.iface) head.push(`on ${devices.get(r.iface) ?? r.iface}`);
  if (r.family === 'inet' || r.family === 'inet6') head.push(r.family);
  const src = address(r.source.net, devices);
  const dst = address(r.destination.net, devices);
  const srcPort = port(r.source.port);
  const dstPort = port(r.destination.port);
  const neg = (not: boolean, value: string) => (not && value !== 'any' ? `! ${value}` : value);
  const everything = src === 'any' && dst === 'any' && !srcPort && !dstPort;
  const fromTo = everything ? 'all' : `from ${neg(r.source.not, src)}${srcPort} to ${neg(r.destination.not, dst)}${dstPort}`;
  // No statetype: pf's own default on a pass rule, keep state.
  const stateful = pass && r.state !== 'none' && r.state !== 'no';
  const state = r.state || 'keep';
  const protocols = r.protocol === '' || r.protocol === 'any' ? [''] : r.protocol === 'tcp/udp' ? ['tcp', 'udp'] : [r.protocol];
  return protocols.map((p) => {
    const words = head.concat(p ? [`proto ${p}`] : [], [fromTo]);
    if (stateful && (p === '' || p === 'tcp')) words.push('flags S/SA');
    if (stateful) words.push(`${state} state`);
    else if (pass) words.push('no state');
    return words.join(' ');
  });
}
