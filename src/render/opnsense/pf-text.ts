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
import { type ItemLayout, LaidOutItem, type XmlElement, firstChildren, isElement, textOf } from './xml.js';

interface Endpoint {
  net: string;
  not: boolean;
  port: string;
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
  // An item written from its layout is read by field, without making its children (see LaidOutItem):
  // only the fields read here, found once per layout (an MVC rule has 56 fields, 19 names are read).
  if (rule instanceof LaidOutItem && rule.unmade) {
    const { names, positions } = fieldsRead(rule.layout);
    for (let k = 0; k < names.length; k++) take(r, names[k]!, rule.fieldText(positions[k]!));
    return r;
  }
  const children = rule.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (isElement(c)) take(r, c.name, c);
  }
  return r;
}

/** The names RuleChildren keeps. */
const READ: ReadonlySet<string> = new Set(['action', 'type', 'direction', 'log', 'quick', 'interface', 'ipprotocol', 'protocol', 'statetype', 'source', 'destination', 'source_net', 'source_not', 'source_port', 'destination_net', 'destination_not', 'destination_port', 'descr', 'description'] satisfies (keyof RuleChildren)[]);

/** The fields of a layout that RuleChildren keeps (the first of each name) and their positions. */
interface FieldsRead {
  names: readonly string[];
  positions: readonly number[];
}

/** Per layout, made once: every rule of one layout (20,000 MVC rules have one) reads the same positions. */
const fieldsByLayout = new WeakMap<ItemLayout, FieldsRead>();
let lastLayout: ItemLayout | undefined;
let lastFields: FieldsRead | undefined;

function fieldsRead(layout: ItemLayout): FieldsRead {
  if (layout === lastLayout) return lastFields!;
  let known = fieldsByLayout.get(layout);
  if (!known) {
    const names: string[] = [];
    const positions: number[] = [];
    layout.names.forEach((name, i) => {
      if (READ.has(name) && !names.includes(name)) {
        names.push(name);
        positions.push(i);
      }
    });
    fieldsByLayout.set(layout, (known = { names, positions }));
  }
  lastLayout = layout;
  lastFields = known;
  return known;
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

/** The first word of a statetype ("keep state" → "keep"), without splitting it into a list. */
function firstWord(text: string): string {
  const space = text.indexOf(' ');
  return space < 0 ? text : text.slice(0, space);
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

/** Each port field's pf text (" port = 443", " port 1000:2000"), worked out once: rules name the same few ports. */
const ports = new Map<string, string>();

function port(value: string): string {
  if (value === '' || value === 'any') return '';
  let shown = ports.get(value);
  if (shown === undefined) {
    const range = value.replace('-', ':');
    ports.set(value, (shown = range.includes(':') ? ` port ${range}` : ` port = ${range}`));
  }
  return shown;
}

/**
 * The lines `pfctl -P -sr` prints for a rule gen wrote, without its label
 * (one per protocol of tcp/udp). `devices` maps interface keys (wan, opt1)
 * to devices; any other interface (a group, enc0) is its own name to pf.
 */
export function pfRuleText(rule: XmlElement, devices: ReadonlyMap<string, string>, children = ruleChildren(rule)): string[] {
  // Each line is written as one text from the rule's fields, not a list of words per protocol joined (a rule of
  // 20,000 made seven lists and as many texts that way). MVC rules (FilterRuleField) have <action>, protocols upper
  // case and statetype "keep".
  const c = children;
  const mvc = c.action !== undefined;
  const action = trimmed(mvc ? c.action : c.type);
  const pass = action === '' || action === 'pass';
  let head = pass ? 'pass' : action === 'reject' ? 'block return' : 'block drop';
  const direction = trimmed(c.direction);
  if (direction === 'in' || direction === 'out') head += ` ${direction}`;
  if (trimmed(c.log) === '1') head += ' log';
  if (trimmed(c.quick) === '1') head += ' quick';
  const iface = trimmed(c.interface);
  if (iface) head += ` on ${devices.get(iface) ?? iface}`;
  const family = trimmed(c.ipprotocol);
  if (family === 'inet' || family === 'inet6') head += ` ${family}`;
  const protocol = lowerCase(trimmed(c.protocol));
  const state = firstWord(trimmed(c.statetype));
  let fromTo: string;
  if (mvc) fromTo = fromToText(trimmed(c.source_net) || 'any', trimmed(c.source_not) === '1', trimmed(c.source_port), trimmed(c.destination_net) || 'any', trimmed(c.destination_not) === '1', trimmed(c.destination_port), devices);
  else {
    const source = legacyEndpoint(c.source);
    const destination = legacyEndpoint(c.destination);
    fromTo = fromToText(source.net, source.not, source.port, destination.net, destination.not, destination.port, devices);
  }
  // No statetype: pf's own default on a pass rule, keep state.
  const stateful = pass && state !== 'none' && state !== 'no';
  const tail = stateful ? ` ${state || 'keep'} state` : pass ? ' no state' : '';
  // "flags S/SA" only where the protocol may be tcp (pfctl clears it for any other).
  const flags = stateful ? ' flags S/SA' : '';
  if (protocol === '' || protocol === 'any') return [flat(`${head} ${fromTo}${flags}${tail}`)];
  if (protocol === 'tcp/udp') return [flat(`${head} proto tcp ${fromTo}${flags}${tail}`), flat(`${head} proto udp ${fromTo}${tail}`)];
  return [flat(`${head} proto ${protocol} ${fromTo}${protocol === 'tcp' ? flags : ''}${tail}`)];
}

/** Each protocol field's text in lower case (an MVC rule's is upper case), made once: a site's rules name a few. */
const lowerCases = new Map<string, string>();
function lowerCase(text: string): string {
  let lower = lowerCases.get(text);
  if (lower === undefined) lowerCases.set(text, (lower = text.toLowerCase()));
  return lower;
}

/**
 * `line` as one flat text. A text made by concatenation is a tree of its pieces in V8 until something reads it
 * whole, and a build keeps the lines of every rule until the verification script is written: as trees, those of
 * 20,000 rules held some 10 MB more than flat. A regular expression runs on a flat text only: testing one flattens it.
 */
function flat(line: string): string {
  WHOLE.test(line);
  return line;
}
const WHOLE = /^/;

/** "all", or "from SRC[ port] to DST[ port]" with "! " before a negated address that is not "any". */
function fromToText(srcNet: string, srcNot: boolean, srcPortField: string, dstNet: string, dstNot: boolean, dstPortField: string, devices: ReadonlyMap<string, string>): string {
  const src = address(srcNet, devices);
  const dst = address(dstNet, devices);
  const srcPort = port(srcPortField);
  const dstPort = port(dstPortField);
  if (src === 'any' && dst === 'any' && !srcPort && !dstPort) return 'all';
  return `from ${srcNot && src !== 'any' ? '! ' : ''}${src}${srcPort} to ${dstNot && dst !== 'any' ? '! ' : ''}${dst}${dstPort}`;
}
