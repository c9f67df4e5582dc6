// The box's own HAProxy frontends whose bind list holds an entry HAProxy refuses (haproxy-binds.ts: str2sa_range(),
// str2ip2() in src/tools.c, the same messages in 3.0 and 3.2). HAProxy reads its whole configuration before it binds
// anything, and one bind it refuses is a fatal error (cfg_parse_listen(): ERR_ALERT | ERR_FATAL): it does not start,
// and every frontend is down, gen's included. The plugin's bind Mask (HAProxy.xml) lets such text through: brackets
// of fewer than four characters, "::" before the port, a name of other characters, port 0 or above 65535, a range
// backwards, a comma at the end. gen writes none (the schema's and resolve/haproxy.ts' checks of a frontend's bind),
// so only the box's are named.
import { type XmlElement, attr, child } from '../render/opnsense/xml.js';
import { addToList } from '../arrays.js';
import { fieldText } from './fields.js';
import { listeningFrontends, refusedBinds } from './haproxy-binds.js';

const PUBLIC_SERVICES = 'Services › HAProxy › Settings › Virtual Services › Public Services';

/** A warning for each of the box's enabled frontends of the enabled HAProxy of the merged config `root` with binds HAProxy refuses. */
export function haproxyRefusals(root: XmlElement, isGen: (uuid: string) => boolean): string[] {
  const refused = refusedBinds(root).filter((r) => !isGen(attr(r.frontend, 'uuid') ?? ''));
  if (refused.length === 0) return [];
  const theirs = listeningFrontends(child(child(root, 'OPNsense'), 'HAProxy'))
    .filter((f) => isGen(attr(f, 'uuid') ?? ''))
    .map((f) => fieldText(f, 'name'));
  const down = theirs.length === 0 ? '' : ` (the topology's ${theirs.join(', ')} included)`;
  // Each frontend's refused entries, in order (a Map keeps the frontends' order too).
  const byFrontend = new Map<XmlElement, string[]>();
  for (const r of refused) addToList(byFrontend, r.frontend, `${r.text || 'an empty entry'}, which makes it print "${r.refusal.prints}" (${r.refusal.why})`);
  return [...byFrontend].map(
    ([frontend, binds]) =>
      `HAProxy refuses to start with the merged config: the base's HAProxy frontend ${fieldText(frontend, 'name')} binds ${binds.join(', and ')}; ` +
      `HAProxy refuses its whole configuration for one such bind, so no frontend of it serves${down}. Correct the bind on the box (${PUBLIC_SERVICES})`,
  );
}
