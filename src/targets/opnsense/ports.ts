// The port ranges OPNsense refuses though pf would take them. gen writes a
// range of the topology as it is written ("from-to").
// - A bound with a leading zero ("0080-0443"): the rule compiler
//   (Firewall/Rule.php mapAddressInfo(), 25.7 to 26.7) keeps a port only where
//   Util::isPort() takes it, whose FILTER_VALIDATE_INT refuses a leading zero,
//   and disables the rule ("Unable to map port"); pfctl itself would read the
//   bound with strtoul base 0 (parse.y atoul()), 0443 as the octal 291.
// - A range of one port ("8000-8000"): PortField, the port of 26.1's port
//   forwards (DNat.xml) and 26.7's rules (Filter.xml), takes a range only with
//   its start below its end, so the model refuses to save the rule. Where
//   rules are legacy (25.7; 26.1's filter rules), Rule.php writes it as pf's
//   "8000:8000", port 8000 alone; refused there too, as one topology serves
//   every release.

/** Why OPNsense refuses a range of these bounds (as written, digits only), or undefined. */
export function portRangeRefusal(from: string, to: string): 'leading-zero' | 'one-port' | undefined {
  if (/^0\d/.test(from) || /^0\d/.test(to)) return 'leading-zero';
  return Number(from) === Number(to) ? 'one-port' : undefined;
}
