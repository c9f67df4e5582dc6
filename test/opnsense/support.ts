// Rendering and reading back OPNsense fragments in tests.
import { XMLParser } from 'fast-xml-parser';
import { edit, readExample, render } from '../helpers.js';

/** Elements that repeat in OPNsense configs (by parent), always read as arrays. */
const LISTS: Record<string, string[]> = {
  rule: ['filter', 'nat', 'outbound'],
  vlan: ['vlans'],
  dhcp_ranges: ['dnsmasq'],
  hosts: ['dnsmasq'],
  dhcp_options: ['dnsmasq'],
  gateway_item: ['Gateways'],
  alias: ['aliases'],
  server: ['servers'],
  client: ['clients'],
  frontend: ['frontends'],
  backend: ['backends'],
  action: ['actions'],
  account: ['accounts'],
  validation: ['validations'],
  certificate: ['certificates'],
  cert: ['opnsense'],
  ifgroupentry: ['ifgroups'],
  staticmap: [],
  dnsserver: [],
};

function isList(name: string, jpath: string): boolean {
  const parents = LISTS[name];
  if (!parents) return false;
  const parent = jpath.split('.').slice(-2, -1)[0] ?? '';
  return parents.length === 0 || parents.includes(parent);
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  commentPropName: '#comment',
  isArray: (name, jpath) => isList(name, String(jpath)),
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Xml = any;

export function parse(text: string): Xml {
  return parser.parse(text);
}

/** The OPNsense fragments of one site, by file name. */
export async function fragments(yaml: string, site: string): Promise<Map<string, string>> {
  const files = await render(yaml);
  const prefix = `${site}/opnsense/`;
  return new Map([...files].filter(([path]) => path.startsWith(prefix)).map(([path, text]) => [path.slice(prefix.length), text]));
}

/** One fragment parsed; fails the test when the file is missing. */
export function doc(files: Map<string, string>, name: string): Xml {
  const text = files.get(name);
  if (text === undefined) throw new Error(`no fragment ${name} (have: ${[...files.keys()].join(', ')})`);
  return parse(text).opnsense;
}

/** Text of an element that fast-xml-parser may give as '' for <x/>. */
export function text(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'object' ? String((value as { '#text'?: string })['#text'] ?? '') : String(value);
}

/** Scenario A with two static routes and an interface group. */
export function withRoutesAndGroups(): string {
  let yaml = readExample('homelab');
  yaml = edit(yaml, ['sites', 0, 'firewall', 'routes'], [
    { network: '172.16.0.0/16', via: '10.0.0.5', description: 'Lab behind a router on the management network' },
    { network: '203.0.113.0/24', via: '192.168.0.1' },
  ]);
  return edit(yaml, ['sites', 0, 'firewall', 'groups'], [{ name: 'internal', members: ['management', 'service'], description: 'Internal networks' }]);
}
