// Which IPv4 clients the box's Unbound answers, by its access lists.
// OPNsense writes access_lists.conf (templates/OPNsense/Unbound/core, 25.7
// to 26.7): `access-control: 0.0.0.0/0 <acls.default_action>` (allow unless
// changed) and `::/0`, then each enabled list's networks with its action.
// Unbound keeps the last line of a netblock: config_file.c
// cfg_str2list_insert() puts each line at the head of its list, and
// acl_list.c acl_list_insert() ignores a netblock it has (a test runs a real
// Unbound on it). For a query it takes the action of the most specific
// netblock holding its source address (addr_tree_lookup()), and it masks a
// network's host bits. Only allow and allow_snoop answer every
// name; deny drops the query (the client waits), refuse answers REFUSED,
// and the *_non_local actions answer the box's local data alone.
import { type Range } from '../intervals.js';
import { type XmlElement, child, childrenNamed } from '../render/opnsense/xml.js';
import { blockLast, blockOf, formatIPv4, parseIPv4 } from '../net.js';
import { fieldList, fieldText } from './fields.js';
import { boxUnbound } from './unbound-items.js';

/** An access-control line of IPv4: its netblock, action and the list that wrote it (none: the default action). */
export interface AclLine {
  base: number;
  last: number;
  prefix: number;
  action: string;
  list?: string;
}

/** The actions under which Unbound resolves every name for the client. */
const ANSWERING: ReadonlySet<string> = new Set(['allow', 'allow_snoop']);

/** The IPv4 access-control lines of the box's Unbound that count: the last of each netblock. */
export function unboundAclLines(root: XmlElement): AclLine[] {
  const acls = child(boxUnbound(root), 'acls');
  const lines: AclLine[] = [{ base: 0, last: 2 ** 32 - 1, prefix: 0, action: fieldText(acls, 'default_action') || 'allow' }];
  for (const acl of childrenNamed(acls, 'acl')) {
    if (fieldText(acl, 'enabled') !== '1') continue;
    for (const network of fieldList(acl, 'networks')) {
      const [address, bits] = network.split('/');
      const value = parseIPv4(address ?? '');
      const prefix = Number(bits);
      if (value === undefined || !/^\d+$/.test(bits ?? '') || prefix > 32) continue;
      const block = blockOf(value, prefix);
      lines.push({ base: block.base, last: blockLast(block), prefix, action: fieldText(acl, 'action') || 'allow', list: fieldText(acl, 'name') });
    }
  }
  // The last line of a netblock counts.
  const seen = new Set<string>();
  return lines.reverse().filter((line) => {
    const key = `${line.base}/${line.prefix}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A part of a client range that the box's Unbound does not answer: the addresses, the action and the list that decides it. */
export interface AclRefusal {
  range: Range;
  action: string;
  /** The access list whose network decides (none: the default action). */
  list?: string;
}

/**
 * The parts of `range` (IPv4 addresses, first and last) whose queries the box's Unbound, with `lines` (unboundAclLines()), does not resolve: each with
 * the action of the most specific netblock holding it, where that action is not allow or allow_snoop.
 */
export function unboundAclRefusals(lines: readonly AclLine[], range: Range): AclRefusal[] {
  const holding = lines.filter((l) => l.base <= range[1] && l.last >= range[0]);
  // The points where the most specific netblock may change, within the range.
  const cuts = new Set<number>([range[0]]);
  for (const l of holding) {
    if (l.base > range[0]) cuts.add(l.base);
    if (l.last < range[1]) cuts.add(l.last + 1);
  }
  const starts = [...cuts].sort((a, b) => a - b);
  const out: AclRefusal[] = [];
  starts.forEach((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]! - 1 : range[1];
    // Netblocks nest or are apart: the longest prefix holding the segment's start holds all of it.
    const decides = holding.filter((l) => l.base <= start && l.last >= start).reduce((a, b) => (b.prefix > a.prefix ? b : a));
    if (ANSWERING.has(decides.action)) return;
    const last = out[out.length - 1];
    if (last && last.action === decides.action && last.list === decides.list && last.range[1] + 1 === start) out[out.length - 1] = Object.assign({}, last, { range: [last.range[0], end] as const });
    else out.push({ range: [start, end], action: decides.action, ...(decides.list === undefined ? {} : { list: decides.list }) });
  });
  return out;
}

/** What a refusal means for the clients, and where it comes from, in words. */
export function aclRefusalText(refusal: AclRefusal): string {
  const [from, to] = refusal.range;
  const addresses = from === to ? formatIPv4(from) : `${formatIPv4(from)}-${formatIPv4(to)}`;
  const does =
    refusal.action === 'deny'
      ? 'drops the queries of'
      : refusal.action === 'refuse'
        ? 'refuses the queries of'
        : refusal.action.endsWith('_non_local')
          ? 'answers only its local data to'
          : `does not resolve for (${refusal.action})`;
  const by = refusal.list === undefined ? `its access lists' default action, ${refusal.action}` : `its access list ${refusal.list}`;
  return `${does} ${addresses} (${by})`;
}
