// Every reference between generated items resolves: MVC relations by
// UUID, certificates by refid, gateways by name, rules by interface key,
// network name or alias (OPNsense reference §7, "reference targets").
import { describe, expect, it } from 'vitest';
import { edit, readExample } from '../helpers.js';
import { type Xml, fragments, parse, policyRules, withRoutesAndGroups } from './support.js';

/** Relation fields and the item kinds they point to. */
const RELATIONS: [string, string][] = [
  ['peers', 'client'],
  ['linkedServers', 'server'],
  ['defaultBackend', 'backend'],
  ['linkedActions', 'action'],
  ['account', 'account'],
  ['validationMethod', 'validation'],
  ['restartActions', 'action'],
  ['http_haproxyFrontends', 'frontend'],
];

function walk(node: Xml, visit: (name: string, value: Xml, parent: Xml) => void): void {
  if (node === null || typeof node !== 'object') return;
  for (const [name, value] of Object.entries(node)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      visit(name, v, node);
      walk(v, visit);
    }
  }
}

async function check(yaml: string, site: string): Promise<number> {
  const files = await fragments(yaml, site);
  const docs = [...files.values()].map((text) => parse(text));
  const uuids = new Map<string, string>();
  const refids = new Set<string>();
  const gateways = new Set<string>();
  const aliases = new Set<string>();
  let keys: string[] = [];
  for (const doc of docs) {
    walk(doc, (name, value) => {
      if (value && typeof value === 'object' && value['@uuid']) uuids.set(value['@uuid'], name);
      if (name === 'cert') refids.add(value.refid);
      if (name === 'gateway_item') gateways.add(value.name);
      if (name === 'alias') aliases.add(value.name);
    });
    if (doc.opnsense.interfaces) keys = Object.keys(doc.opnsense.interfaces);
  }
  const interfaces = new Set([...keys, 'wireguard', 'enc0']);
  const networks = new Set(['any', '(self)', ...interfaces, ...keys.map((k) => `${k}ip`)]);
  let checked = 0;
  const fail: string[] = [];
  for (const doc of docs) {
    walk(doc, (name, value, parent) => {
      for (const [field, kind] of RELATIONS) {
        if (name !== field || typeof value !== 'string' || value === '' || parent[field] === undefined) continue;
        for (const uuid of value.split(',')) {
          checked++;
          if (uuids.get(uuid) !== kind) fail.push(`${field} → ${uuid} is ${uuids.get(uuid) ?? 'missing'}, not a ${kind}`);
        }
      }
      if ((name === 'ssl_certificates' || name === 'ssl_default_certificate' || name === 'certRefId') && typeof value === 'string' && value !== '') {
        checked++;
        if (!refids.has(value)) fail.push(`${name} → ${value} is no <cert> refid`);
      }
    });
    for (const rule of doc.opnsense.nat?.rule ?? []) {
      checked++;
      if (!interfaces.has(rule.interface)) fail.push(`rule on unknown interface ${rule.interface}`);
      for (const side of [rule.source, rule.destination]) {
        if (side.network !== undefined && !networks.has(side.network)) fail.push(`rule network ${side.network} is not an OPNsense network name`);
        if (side.address !== undefined && !/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(side.address) && !aliases.has(side.address)) fail.push(`rule address ${side.address} is neither an address nor an alias`);
      }
    }
    for (const iface of Object.values(doc.opnsense.interfaces ?? {}) as Xml[]) {
      if (iface.gateway !== undefined && !gateways.has(iface.gateway)) fail.push(`interface gateway ${iface.gateway} does not exist`);
    }
    for (const route of [doc.opnsense.staticroutes?.route ?? []].flat()) {
      checked++;
      if (!gateways.has(route.gateway)) fail.push(`route gateway ${route.gateway} does not exist`);
    }
  }
  for (const rule of policyRules(files)) {
    checked++;
    if (!interfaces.has(rule.interface)) fail.push(`rule on unknown interface ${rule.interface}`);
    for (const side of [rule.source, rule.destination]) {
      if (side.network !== undefined && !networks.has(side.network)) fail.push(`rule network ${side.network} is not an OPNsense network name`);
      if (side.address !== undefined && !/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(side.address) && !aliases.has(side.address)) fail.push(`rule address ${side.address} is neither an address nor an alias`);
    }
  }
  expect(fail).toEqual([]);
  return checked;
}

describe('references between generated items', () => {
  it('resolve in scenario A', async () => expect(await check(readExample('homelab'), 'home')).toBeGreaterThan(15));
  it('resolve in scenario B', async () => expect(await check(readExample('vlan-hosting'), 'hosting')).toBeGreaterThan(10));
  it('resolve with static routes, groups and a port forward', async () => {
    const yaml = edit(withRoutesAndGroups(), ['sites', 0, 'firewall', 'nat', 'port_forwards'], [{ name: 'grafana', proto: 'tcp', port: 8443, service: 'grafana' }]);
    expect(await check(yaml, 'home')).toBeGreaterThan(15);
  });
  it('resolve with an HTTP-01 certificate validated through HAProxy', async () => {
    const yaml = edit(readExample('homelab'), ['sites', 0, 'haproxy', 'certificates', 0], { name: 'wildcard', domain: 'www.example.com', challenge: 'http-01' });
    const files = await fragments(yaml, 'home');
    const validation = parse(files.get('acme.xml')!).opnsense.OPNsense.AcmeClient.validations.validation[0];
    expect(validation).toMatchObject({ method: 'http01', http_service: 'haproxy', http_haproxyInject: '1' });
    // Port 80 (which redirects to HTTPS) and the HTTPS frontend the redirect leads to both answer the challenge.
    const frontends = parse(files.get('haproxy.xml')!).opnsense.OPNsense.HAProxy.frontends.frontend;
    const uuidOf = (name: string) => frontends.find((f: Xml) => f.name === name)['@uuid'];
    expect(validation.http_haproxyFrontends).toBe(`${uuidOf('https_http_redirect')},${uuidOf('https')}`);
    expect(await check(yaml, 'home')).toBeGreaterThan(15);
  });
});
