// What pfctl makes of a filter rule of OPNsense's rules.debug: parsed as
// sbin/pfctl/parse.y does (macros, lists expanded into one rule per
// protocol, source, source port, destination and destination port in
// expand_rule()'s order; "flags S/SA" by default on a stateful pass rule,
// cleared for any protocol but tcp; "block" is "block drop" under the
// default block policy) and printed back as `pfctl -P -sr` prints it
// (pfctl_parser.c print_rule(), print_fromto(), print_port() with -P's
// numeric ports, print_pool() for reply-to; pf_print_state.c print_addr():
// tables <t>, dynamic addresses (if:network), host bits cleared, no /32).
// Covers the syntax OPNsense's filter rule compiler writes; anything else
// is an error, not a guess.
import { formatIPv4, parseIPv4 } from '../../src/net.js';

/** Macro definitions of a rules.debug: `name = "value"`. */
export function macros(debug: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of debug) {
    const m = /^([A-Za-z0-9_]+) = "(.*)"$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

function tokens(line: string): string[] {
  return line.match(/\{[^}]*\}|"[^"]*"|\([^)]*\)|[^\s{}"()]+/g) ?? [];
}

function items(token: string, defs: ReadonlyMap<string, string>): string[] {
  const list = token.startsWith('{') ? token.slice(1, -1).split(/[\s,]+/).filter(Boolean) : [token];
  return list.flatMap((item) => {
    const not = item.startsWith('!');
    const name = not ? item.slice(1) : item;
    if (!name.startsWith('$')) return [item];
    const value = defs.get(name.slice(1));
    if (value === undefined) throw new Error(`pf: macro ${name} is not defined`);
    return items(value.includes(' ') ? `{${value}}` : value, defs).map((v) => (not ? `!${v}` : v));
  });
}

function host(item: string): string {
  const not = item.startsWith('!');
  const value = not ? item.slice(1) : item;
  let printed = value;
  if (/^[0-9.]+(\/\d+)?$/.test(value)) {
    const [a, p] = value.split('/');
    const prefix = p === undefined ? 32 : Number(p);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const base = (parseIPv4(a!)! & mask) >>> 0;
    printed = prefix === 0 ? 'any' : prefix === 32 ? formatIPv4(base) : `${formatIPv4(base)}/${prefix}`;
  } else if (!/^(any|<[^>]+>|\([^)]+\))$/.test(value)) {
    throw new Error(`pf: address ${value} is not modelled`);
  }
  return `${not ? '! ' : ''}${printed}`;
}

function port(item: string | undefined): string {
  if (item === undefined) return '';
  if (/^\d+$/.test(item)) return ` port = ${item}`;
  if (/^\d+:\d+$/.test(item)) return ` port ${item}`;
  throw new Error(`pf: port ${item} is not modelled`);
}

/** The lines `pfctl -P -sr` prints for one rules.debug filter rule. */
export function pfPrint(line: string, defs: ReadonlyMap<string, string> = new Map()): string[] {
  const t = tokens(line.replace(/ # .*$/, ''));
  let i = 0;
  const peek = () => t[i];
  const take = (word: string) => (t[i] === word ? (i++, true) : false);
  const action = t[i++]!;
  if (action !== 'pass' && action !== 'block') throw new Error(`pf: ${action} rules are not modelled`);
  let head = action;
  if (action === 'block') head += take('return') ? ' return' : (take('drop'), ' drop');
  const words = [head];
  for (const w of ['in', 'out', 'log', 'quick']) if (take(w)) words.push(w);
  if (take('on')) words.push(`on ${t[i++]}`);
  if (take('reply-to') || take('route-to')) {
    const pool = t[i++]!.replace(/^\(\s*(\S+)\s+(\S+)\s*\)$/, '($1 $2)');
    words.push(`${t[i - 2]} ${pool}`);
  }
  if (peek() === 'inet' || peek() === 'inet6') words.push(t[i++]!);
  let protos: string[] = [''];
  if (take('proto')) protos = items(t[i++]!, defs);
  let srcs = ['any'];
  let dsts = ['any'];
  let sports: (string | undefined)[] = [undefined];
  let dports: (string | undefined)[] = [undefined];
  if (!take('all')) {
    if (take('from')) {
      srcs = items(t[i++]!, defs);
      if (take('port')) sports = items(t[i++]!, defs);
    }
    if (take('to')) {
      dsts = items(t[i++]!, defs);
      if (take('port')) dports = items(t[i++]!, defs);
    }
  }
  let flags: string | undefined;
  if (take('flags')) flags = t[i++];
  let state = action === 'pass' ? 'keep' : '';
  if (take('no')) (take('state'), (state = ''));
  else if (['keep', 'modulate', 'synproxy'].includes(peek() ?? '')) (state = t[i++]!), take('state');
  // A state policy of the rule's own: "floating" is pf's default, which print_rule() does not show (only if-bound).
  // (The tokens keep a parenthesized group whole: "( floating )".)
  if (state && /^\(.*\)$/.test(peek() ?? '')) {
    const options = t[i++]!.slice(1, -1).trim().split(/\s+/);
    if (options.some((o) => o !== 'floating')) throw new Error(`pf: state options ${options.join(' ')} are not modelled (${line})`);
  }
  const rest: string[] = [];
  while (i < t.length) {
    const w = t[i++]!;
    if (w === 'label') rest.push(`label ${t[i++]}`);
    else throw new Error(`pf: ${w} is not modelled (${line})`);
  }
  const out: string[] = [];
  for (const proto of protos)
    for (const src of srcs)
      for (const sp of sports)
        for (const dst of dsts)
          for (const dp of dports) {
            const w = words.concat(proto ? [`proto ${proto}`] : []);
            const s = host(src);
            const d = host(dst);
            w.push(s === 'any' && d === 'any' && !sp && !dp ? 'all' : `from ${s}${port(sp)} to ${d}${port(dp)}`);
            const tcpLike = proto === '' || proto === 'tcp';
            if (flags !== undefined && flags !== 'any' && tcpLike) w.push(`flags ${flags}`);
            else if (flags === undefined && action === 'pass' && state && tcpLike) w.push('flags S/SA');
            else if (flags === 'any' && action === 'pass' && state && tcpLike) w.push('flags any');
            if (state) w.push(`${state} state`);
            else if (action === 'pass') w.push('no state');
            out.push(w.concat(rest).join(' '));
          }
  return out;
}
