// The fragments of scenarios A (homelab) and B (VLAN hosting), read back
// with an XML parser and checked value by value.
import { homedir, tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { siteToSite } from '../aws/fixtures.js';
import { blockRange } from '../../src/intervals.js';
import { flowVerdicts } from '../../src/flows.js';
import { parseCidr } from '../../src/net.js';
import { edit, lint, modelOf, readExample, root } from '../helpers.js';
import { type Xml, doc, everyItem, fragments, policyRules, text, withRelease, withRoutesAndGroups } from './support.js';
import { lineOf } from '../yaml-lines.js';

describe('scenario A (homelab): OPNsense fragments', async () => {
  const files = await fragments(readExample('homelab'), 'home');

  it('writes one <opnsense> document per area, with a final newline', () => {
    expect([...files.keys()].sort()).toEqual(['acme.xml', 'aliases.xml', 'filter.xml', 'haproxy.xml', 'interfaces.xml', 'nat.xml', 'routes.xml', 'wireguard.xml']);
    for (const [name, content] of files) {
      expect(content.startsWith('<?xml version="1.0"?>\n<opnsense>'), name).toBe(true);
      expect(content.endsWith('</opnsense>\n'), name).toBe(true);
      // No private key: the instance's is a placeholder filled in by merge.
      expect(content, name).not.toMatch(/<privkey>[A-Za-z0-9+/]{43}=<\/privkey>/);
      // No paths of the machine that built them.
      // (An element named after a directory, such as HAProxy's <root>, is no path: "</root>" does not count.)
      for (const path of [root, tmpdir(), homedir()]) expect(content.replace(/<\/?[A-Za-z_][\w.-]*>/g, ''), name).not.toContain(path);
    }
  });

  it('assigns WAN static with its gateway by name, and wg0 enabled with no IP configuration', () => {
    const ifs = doc(files, 'interfaces.xml').interfaces;
    expect(ifs.wan).toMatchObject({ if: 'vtnet0', descr: 'WAN', enable: '1', ipaddr: '192.168.0.2', subnet: '24', gateway: 'WAN_GW', blockbogons: '1' });
    // The WAN sits on a private network behind the NAT router, and LAN-endpoint clients come from it.
    expect(ifs.wan.blockpriv).toBeUndefined();
    expect(ifs.lan).toMatchObject({ if: 'vtnet1', descr: 'Management', ipaddr: '10.0.0.1', subnet: '24' });
    expect(ifs.opt1).toMatchObject({ if: 'vtnet2', descr: 'Service', ipaddr: '10.1.0.1', subnet: '24' });
    expect(ifs.opt2).toEqual({ if: 'wg0', descr: 'WireGuard', enable: '1' });
    const gw = doc(files, 'routes.xml').OPNsense.Gateways;
    expect(gw['@version']).toBe('1.0.0');
    expect(gw.gateway_item).toHaveLength(1);
    expect(gw.gateway_item[0]).toMatchObject({ name: 'WAN_GW', interface: 'wan', gateway: '192.168.0.1', defaultgw: '1', ipprotocol: 'inet' });
  });

  it('compiles the policy: WAN passes first, the VPN on the wireguard group, internet-only as blocks of the firewall and the internal networks, then a pass', () => {
    const rules: Xml[] = policyRules(files);
    const summary = rules.map((r) => [
      r.type,
      r.interface,
      r.protocol ?? 'any',
      r.source.network ?? r.source.address ?? 'any',
      r.destination.network ?? r.destination.address ?? 'any',
      r.destination.port ?? '',
    ]);
    expect(summary).toEqual([
      ['pass', 'wan', 'udp', 'any', 'wanip', '51820'],
      ['pass', 'wan', 'tcp', 'any', 'wanip', '80'],
      ['pass', 'wan', 'tcp', 'any', 'wanip', '443'],
      // The tunnel network has no interface address of its own: an alias named after it.
      ['pass', 'wireguard', 'any', 'gen_net_wireguard', 'lan', ''],
      ['pass', 'wireguard', 'any', 'gen_net_wireguard', 'opt1', ''],
      ['pass', 'wireguard', 'any', 'gen_net_wireguard', 'gen_net_wireguard', ''],
      ['pass', 'lan', 'any', 'lan', 'any', ''],
      ['block', 'opt1', 'any', 'opt1', '(self)', ''],
      ['block', 'opt1', 'any', 'opt1', 'gen_internal_networks', ''],
      ['pass', 'opt1', 'any', 'opt1', 'any', ''],
    ]);
    expect(rules.map((r) => r.descr)).toEqual([
      'gen: WireGuard instance wg0',
      'gen: HAProxy frontend https',
      'gen: HAProxy frontend https',
      'gen: policy rule vpn-to-management',
      'gen: policy rule vpn-to-service',
      'gen: policy rule vpn-to-vpn',
      'gen: policy rule management-out',
      'gen: policy rule service-internet-only (block the firewall itself)',
      'gen: policy rule service-internet-only (block internal networks)',
      'gen: policy rule service-internet-only (pass the internet)',
    ]);
    // Version 4 in form, the only form OPNsense takes for a UUID (Type::isUUID), with gen's mark.
    for (const rule of rules) expect(rule['@uuid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-6e67656e[0-9a-f]{4}$/);
    expect(new Set(rules.map((r) => r['@uuid'])).size).toBe(rules.length);
    // No pfSense-style network names: OPNsense turns them into disabled rules.
    expect(files.get('filter.xml')).not.toMatch(/net<\/(network|source_net|destination_net)>/);
    const alias = doc(files, 'aliases.xml').OPNsense.Firewall.Alias;
    expect(alias['@version']).toBe('1.0.1');
    expect(alias.aliases.alias.map((a: Xml) => a.name)).toEqual(['gen_net_wireguard', 'gen_internal_networks']);
    expect(alias.aliases.alias[0]).toMatchObject({ type: 'network', enabled: '1', content: '10.0.1.0/24', description: 'gen: network wireguard' });
    expect(alias.aliases.alias[1]).toMatchObject({ type: 'network', enabled: '1' });
    // With the WAN's private network: the NAT router's LAN is not the internet either.
    expect(alias.aliases.alias[1].content.split('\n')).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24', '192.168.0.0/24']);
  });

  it('writes the policy on 26.7 as MVC filter rules in its order, and no legacy rule (no migration assistant)', () => {
    const filter = doc(files, 'filter.xml');
    // <filter> holds only the MSS clamp (normalization rules are legacy in every release).
    expect(Object.keys(filter.filter)).toEqual(['scrub']);
    expect(filter.OPNsense.Firewall.Filter['@version']).toBe('1.0.5');
    const rules: Xml[] = filter.OPNsense.Firewall.Filter.rules.rule;
    expect(rules.map((r) => Number(r.sequence))).toEqual(rules.map((_, i) => (i + 1) * 10));
    for (const rule of rules) {
      expect(rule).toMatchObject({ enabled: '1', statetype: 'keep', quick: '1', interfacenot: '0', direction: 'in', ipprotocol: 'inet' });
      expect(['any', 'TCP', 'UDP']).toContain(rule.protocol);
    }
    expect(rules[0]).toMatchObject({ interface: 'wan', protocol: 'UDP', source_net: 'any', destination_net: 'wanip', destination_port: '51820', description: 'gen: WireGuard instance wg0' });
  });

  // The WAN (192.168.0.2/24) is the router's LAN: OPNsense's reply-to would send the replies to its hosts (-lan
  // WireGuard clients, browsers) through the router (FilterRule::convertReplyTo); the WAN passes turn it off, in
  // both forms of rule. A WAN in the open keeps it (the pf compiler's view: test/opnsense/opnsense-php.test.ts).
  it.each(['26.7', '25.7'])("WAN passes on the router's LAN reply directly (%s)", async (release) => {
    const wanPasses = (rules: Xml[]) => rules.filter((r) => r.interface === 'wan' && r.type === 'pass').map((r) => [r.descr, r.disablereplyto]);
    expect(wanPasses(policyRules(await fragments(withRelease(readExample('homelab'), release), 'home')))).toEqual([
      ['gen: WireGuard instance wg0', '1'],
      ['gen: HAProxy frontend https', '1'],
      ['gen: HAProxy frontend https', '1'],
    ]);
    let open = edit(withRelease(readExample('homelab'), release), ['sites', 0, 'firewall', 'interfaces', 0, 'address'], '203.0.113.2/24');
    open = edit(edit(open, ['sites', 0, 'firewall', 'interfaces', 0, 'gateway'], '203.0.113.1'), ['sites', 0, 'policy', 'tests'], []);
    expect(wanPasses(policyRules(await fragments(open, 'home'))).map(([, off]) => off)).toEqual([undefined, undefined, undefined]);
  });

  it('configures WireGuard: instance, enabled peers linked by UUID, the disabled peer kept but unlinked', () => {
    const wg = doc(files, 'wireguard.xml').OPNsense.wireguard;
    expect(wg.general).toMatchObject({ '@version': '0.0.1', enabled: '1' });
    expect(wg.server['@version']).toBe('1.0.1');
    expect(wg.client['@version']).toBe('1.0.0');
    const [server] = wg.server.servers.server;
    expect(server).toMatchObject({ enabled: '1', name: 'wg0', instance: '0', port: '51820', mtu: '1420', tunneladdress: '10.0.1.1/24', debug: '0' });
    expect(server.pubkey).toBe('XCdJc81KmaxcKhvh+14BTLyFXofXIyLTdEZ6sWqhWkU=');
    expect(server.privkey).toBe('GEN-SECRET:home/wireguard/wg0.key');
    const clients: Xml[] = wg.client.clients.client;
    const byName = new Map(clients.map((c) => [c.name, c]));
    expect([...byName.keys()]).toEqual(['mac-workstation', 'laptop-john', 'iphone-john']);
    expect(server.peers.split(',')).toEqual([byName.get('mac-workstation')['@uuid'], byName.get('laptop-john')['@uuid']]);
    // The keepalive is the clients' (in their files): the firewall sends none (its template writes none for an empty one).
    expect(byName.get('laptop-john')).toMatchObject({ enabled: '1', tunneladdress: '10.0.1.3/32', keepalive: '', pubkey: 'Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U=' });
    expect(byName.get('mac-workstation')).toMatchObject({ enabled: '1', tunneladdress: '10.0.1.2/32', keepalive: '' });
    expect(byName.get('iphone-john')).toMatchObject({ enabled: '0', tunneladdress: '10.0.1.11/32' });
    expect(server.peers).not.toContain(byName.get('iphone-john')['@uuid']);
  });

  it('chains HAProxy frontend → backend → server by UUID and offloads TLS with the ACME certificate refid', () => {
    const ha = doc(files, 'haproxy.xml').OPNsense.HAProxy;
    expect(ha['@version']).toBe('5.0.0');
    expect(ha.general.enabled).toBe('1');
    const [https, redirect] = ha.frontends.frontend;
    const [backend] = ha.backends.backend;
    const [server] = ha.servers.server;
    expect(server).toMatchObject({ address: '10.1.0.100', port: '80', enabled: '1', mode: 'active', type: 'static' });
    expect(backend).toMatchObject({ name: 'web', algorithm: 'roundrobin', mode: 'http' });
    expect(backend.linkedServers).toBe(server['@uuid']);
    expect(https).toMatchObject({ name: 'https', bind: '0.0.0.0:443', mode: 'http', ssl_enabled: '1' });
    expect(https.defaultBackend).toBe(backend['@uuid']);
    for (const item of [https, backend, server]) expect(item.id).toMatch(/^[0-9a-f]{14}\.[0-9]{8}$/);
    expect(redirect).toMatchObject({ bind: '0.0.0.0:80', ssl_enabled: '0' });
    const action = ha.actions.action.find((a: { name: string }) => a.name === 'https_redirect_to_https');
    // After the rules that drop the client's address and host headers and set the scheme, which come first on every HTTP frontend.
    const linked = String(redirect.linkedActions).split(',');
    expect(linked.at(-1)).toBe(action['@uuid']);
    const drops = linked.slice(0, -1).map((u) => ha.actions.action.find((a: { '@uuid': string }) => a['@uuid'] === u));
    expect(drops.map((a) => [a.http_request_action, a.http_request_option])).toEqual(
      ['X-Forwarded-For', 'Forwarded', 'X-Real-IP', 'X-Forwarded-Host', 'X-Forwarded-Port'].map((h) => ['del-header', h]).concat([['set-header', 'X-Forwarded-Proto http']]),
    );
    // HAProxy 5.0.0 (os-haproxy from 26.1.2): a redirect is an http-request action with its option.
    expect(action).toMatchObject({ enabled: '1', type: 'http-request', http_request_action: 'redirect', http_request_option: 'scheme https code 301' });

    const acme = doc(files, 'acme.xml');
    const [certificate] = acme.OPNsense.AcmeClient.certificates.certificate;
    const [cert] = acme.cert;
    expect(acme.OPNsense.AcmeClient['@version']).toBe('4.4.0');
    expect(certificate).toMatchObject({ name: '*.example.com', enabled: '1', autoRenewal: '1' });
    expect(cert.refid).toMatch(/^[0-9a-f]{13}$/);
    expect(certificate.certRefId).toBe(cert.refid);
    expect(https.ssl_certificates).toBe(cert.refid);
    expect(https.ssl_default_certificate).toBe(cert.refid);
    const [validation] = acme.OPNsense.AcmeClient.validations.validation;
    expect(certificate.validationMethod).toBe(validation['@uuid']);
    expect(validation).toMatchObject({ method: 'dns01', dns_service: 'dns_cf' });
    expect(certificate.account).toBe(acme.OPNsense.AcmeClient.accounts.account[0]['@uuid']);
    const [restart] = acme.OPNsense.AcmeClient.actions.action;
    expect(certificate.restartActions).toBe(restart['@uuid']);
    // The automation the ACME client runs after a renewal (LeAutomationFactory: ConfigdRestartHaproxy).
    expect(restart.type).toBe('configd_restart_haproxy');
  });

  it('writes every field of every HAProxy item, so the haproxy.conf template renders complete frontends', () => {
    const ha = doc(files, 'haproxy.xml').OPNsense.HAProxy;
    for (const frontend of ha.frontends.frontend) {
      expect(frontend).toMatchObject({ connectionBehaviour: 'http-keep-alive', http2Enabled: '1', advertised_protocols: 'h2,http11', ssl_minVersion: 'TLSv1.2' });
    }
    expect(ha.backends.backend[0]).toMatchObject({ persistence_cookiename: 'SRVCOOKIE', tuning_httpreuse: 'safe', healthCheckProxyProto: 'backend' });
    expect(ha.servers.server[0].multiplexer_protocol).toBe('unspecified');
    // The general settings the template reads when the box never saved HAProxy.
    expect(ha.general.tuning).toMatchObject({ maxConnections: expect.anything() });
    expect(Object.keys(ha.general)).toEqual(expect.arrayContaining(['tuning', 'defaults', 'logging', 'stats', 'peers', 'cache']));
  });

  it('sets outbound NAT to automatic and has no port forwards', () => {
    const nat = doc(files, 'nat.xml').nat;
    expect(nat.outbound.mode).toBe('automatic');
    expect(nat.rule).toBeUndefined();
  });
});

describe('scenario B (VLAN hosting): OPNsense fragments', async () => {
  const files = await fragments(readExample('vlan-hosting'), 'hosting');

  it('a DHCP WAN blocks private networks, unless a WireGuard instance has a LAN endpoint (its clients come from private addresses)', async () => {
    // filter.lib.inc: "Block private networks" runs at priority 5, before gen's WireGuard pass.
    let text = readExample('homelab').replace('          address: 192.168.0.2/24\n', '          address: dhcp\n').replace(/          gateway: 192\.168\.0\.1 .*\n/, '');
    // A DHCP WAN's network is not known: gen cannot leave the upstream LAN out of internet, and the example's test of it goes.
    text = text.replace(/\n +- \{ from: service, to: 192\.168\.0\.50, [^\n]*/, '');
    text = edit(text, ['sites', 0, 'wireguard', 0, 'lan_endpoint'], '192.168.0.2');
    expect((await lint(text)).filter((d) => d.severity === 'error')).toEqual([]);
    const wan = async (t: string) => doc(await fragments(t, 'home'), 'interfaces.xml').interfaces.wan;
    expect(await wan(text)).toMatchObject({ ipaddr: 'dhcp', blockbogons: '1' });
    expect((await wan(text)).blockpriv).toBeUndefined();
    const without = edit(text, ['sites', 0, 'wireguard', 0, 'lan_endpoint'], undefined);
    expect((await wan(without)).blockpriv).toBe('1');
    // An endpoint behind the firewall (its management address) is reached from that side: a public WAN keeps it on,
    // and saying so is no error.
    let inside = readExample('homelab').replace('          address: 192.168.0.2/24\n', '          address: 203.0.113.2/29\n').replace(/          gateway: 192\.168\.0\.1 .*\n/, '          gateway: 203.0.113.1\n');
    inside = edit(inside, ['sites', 0, 'wireguard', 0, 'lan_endpoint'], '10.0.0.1').replace(/\n +- \{ from: service, to: 192\.168\.0\.50[^\n]*/, '');
    expect((await wan(inside)).blockpriv).toBe('1');
    const explicit = edit(inside, ['sites', 0, 'firewall', 'interfaces', 0, 'block_private'], true);
    expect((await lint(explicit)).filter((d) => d.rule === 'wg/lan-endpoint-blocked')).toEqual([]);
  });

  it('puts VLANs 10/20/30 on the LAN parent and assigns them with their addresses', () => {
    const vlans = doc(files, 'vlans.xml').vlans;
    expect(vlans['@version']).toBe('1.0.0');
    expect(vlans.vlan.map((v: Xml) => [v.if, v.tag, v.pcp, v.vlanif, v.descr])).toEqual([
      ['vtnet1', '10', '0', 'vlan0.10', 'MGMT'],
      ['vtnet1', '20', '0', 'vlan0.20', 'WEBSVC'],
      ['vtnet1', '30', '0', 'vlan0.30', 'VPSSVC'],
    ]);
    const ifs = doc(files, 'interfaces.xml').interfaces;
    expect(ifs.wan).toMatchObject({ if: 'vtnet0', ipaddr: 'dhcp', blockpriv: '1', blockbogons: '1' });
    expect(ifs.wan.gateway).toBeUndefined();
    expect([ifs.opt1, ifs.opt2, ifs.opt3].map((i: Xml) => [i.if, i.ipaddr, i.subnet, i.descr])).toEqual([
      ['vlan0.10', '192.168.10.1', '24', 'MGMT'],
      ['vlan0.20', '192.168.20.1', '24', 'WEBSVC'],
      ['vlan0.30', '192.168.30.1', '24', 'VPSSVC'],
    ]);
    // A DHCP WAN has a dynamic gateway: no gateway items to write; the models, empty, clear gen's of an earlier merge.
    const routes = doc(files, 'routes.xml');
    expect(routes.OPNsense.Gateways).toEqual({ '@version': '1.0.0' });
    expect(routes.staticroutes).toEqual({ '@version': '1.0.1' });
  });

  it('serves DHCP with dnsmasq on 26.7: one range per interface, public resolvers for the internet-only VLANs', () => {
    const dnsmasq = doc(files, 'dhcp.xml').dnsmasq;
    expect(dnsmasq['@version']).toBe('1.0.9');
    expect(dnsmasq.dhcp_options.map((o: Xml) => [o.interface, o.option, o.value])).toEqual([
      ['opt2', '6', '1.1.1.1,9.9.9.9'],
      ['opt3', '6', '1.1.1.1,9.9.9.9'],
    ]);
    // DHCP only: DNS stays with Unbound on port 53.
    expect(dnsmasq.port).toBe('0');
    expect(dnsmasq.interface).toBe('lan,opt1,opt2,opt3');
    expect(dnsmasq.dhcp_ranges.map((r: Xml) => [r.interface, r.start_addr, r.end_addr])).toEqual([
      ['lan', '192.168.1.128', '192.168.1.254'],
      ['opt1', '192.168.10.128', '192.168.10.254'],
      ['opt2', '192.168.20.128', '192.168.20.254'],
      ['opt3', '192.168.30.100', '192.168.30.199'],
    ]);
  });

  it('blocks the hosting VLANs from internal networks before passing them to the internet', () => {
    const rules: Xml[] = policyRules(files);
    const hosting = rules.filter((r) => r.descr.includes('hosting-internet-only'));
    expect(hosting.map((r) => [r.interface, r.type, r.destination.address ?? r.destination.network ?? 'any'])).toEqual([
      ['opt2', 'block', '(self)'],
      ['opt2', 'block', 'gen_internal_networks'],
      ['opt2', 'pass', 'any'],
      ['opt3', 'block', '(self)'],
      ['opt3', 'block', 'gen_internal_networks'],
      ['opt3', 'pass', 'any'],
    ]);
    expect(rules.filter((r) => r.interface === 'wan').map((r) => [r.protocol, r.destination.network, r.destination.port])).toEqual([
      ['tcp', 'wanip', '80'],
      ['tcp', 'wanip', '443'],
    ]);
    const alias = doc(files, 'aliases.xml').OPNsense.Firewall.Alias.aliases.alias[0];
    expect(alias.content.split('\n').sort()).toEqual(['192.168.1.0/24', '192.168.10.0/24', '192.168.20.0/24', '192.168.30.0/24']);
  });

  it('pools both web servers in the backend', () => {
    const ha = doc(files, 'haproxy.xml').OPNsense.HAProxy;
    const servers: Xml[] = ha.servers.server;
    expect(servers.map((s) => [s.address, s.port])).toEqual([
      ['192.168.20.11', '80'],
      ['192.168.20.12', '80'],
    ]);
    expect(ha.backends.backend[0].linkedServers.split(',')).toEqual(servers.map((s) => s['@uuid']));
    expect(files.has('wireguard.xml')).toBe(false);
  });
});

describe('target release', () => {
  const at = async (release: string, example: 'homelab' | 'vlan-hosting' = 'homelab') => fragments(withRelease(everyItemOr(example), release), example === 'homelab' ? 'home' : 'hosting');
  const everyItemOr = (example: 'homelab' | 'vlan-hosting') => (example === 'homelab' ? everyItem() : readExample(example));
  const versions = (files: Map<string, string>) => {
    const o = (name: string) => doc(files, name);
    return {
      wireguardServer: o('wireguard.xml').OPNsense.wireguard.server['@version'],
      dnsmasq: o('dhcp.xml').dnsmasq['@version'],
      staticroutes: o('routes.xml').staticroutes['@version'],
      haproxy: o('haproxy.xml').OPNsense.HAProxy['@version'],
      acme: o('acme.xml').OPNsense.AcmeClient['@version'],
      filter: o('filter.xml').OPNsense?.Firewall?.Filter?.['@version'],
    };
  };

  // Model versions per point release, read from the model files at every upstream tag.
  it.each([
    ['25.7.1', { wireguardServer: '1.0.0', dnsmasq: '1.0.7', staticroutes: '1.0.0', haproxy: '4.1.0', acme: '4.3.0', filter: undefined }],
    ['25.7.5', { wireguardServer: '1.0.0', dnsmasq: '1.0.8', staticroutes: '1.0.0', haproxy: '4.1.0', acme: '4.3.0', filter: undefined }],
    ['25.7', { wireguardServer: '1.0.1', dnsmasq: '1.0.8', staticroutes: '1.0.0', haproxy: '4.1.0', acme: '4.3.0', filter: undefined }],
    ['26.1.1', { wireguardServer: '1.0.1', dnsmasq: '1.0.8', staticroutes: '1.0.0', haproxy: '4.1.0', acme: '4.3.0', filter: undefined }],
    ['26.1.4', { wireguardServer: '1.0.1', dnsmasq: '1.0.8', staticroutes: '1.0.0', haproxy: '5.0.0', acme: '4.3.0', filter: undefined }],
    ['26.1.6', { wireguardServer: '1.0.1', dnsmasq: '1.0.9', staticroutes: '1.0.0', haproxy: '5.0.0', acme: '4.3.1', filter: undefined }],
    ['26.1.9', { wireguardServer: '1.0.1', dnsmasq: '1.0.9', staticroutes: '1.0.0', haproxy: '5.0.0', acme: '4.4.0', filter: undefined }],
    ['26.1', { wireguardServer: '1.0.1', dnsmasq: '1.0.9', staticroutes: '1.0.1', haproxy: '5.0.0', acme: '4.4.0', filter: undefined }],
    ['26.7.0', { wireguardServer: '1.0.1', dnsmasq: '1.0.9', staticroutes: '1.0.1', haproxy: '5.0.0', acme: '4.4.0', filter: '1.0.5' }],
    ['26.7', { wireguardServer: '1.0.1', dnsmasq: '1.0.9', staticroutes: '1.0.1', haproxy: '5.0.0', acme: '4.4.0', filter: '1.0.5' }],
  ])('%s writes exactly its own model versions', async (release, expected) => {
    expect(versions(await at(release))).toEqual(expected);
  });

  it('switches static routes on with the field the release has: <disabled>0 up to 26.1.9, <enabled>1 from 26.1.10', async () => {
    const route = async (release: string) => [doc(await at(release), 'routes.xml').staticroutes.route].flat()[0];
    expect(await route('26.1.9')).toMatchObject({ disabled: '0' });
    expect((await route('26.1.9')).enabled).toBeUndefined();
    expect(await route('26.1.10')).toMatchObject({ enabled: '1' });
    expect((await route('26.1.10')).disabled).toBeUndefined();
  });

  it('writes the HTTP redirect as type http-request_redirect for HAProxy 4.1.0 (up to 26.1.1)', async () => {
    const actions = doc(await at('26.1.1'), 'haproxy.xml').OPNsense.HAProxy.actions.action;
    const action = actions.find((a: { name: string }) => a.name === 'https_redirect_to_https');
    expect(actions.find((a: { name: string }) => a.name === 'https_drop_x_forwarded_for')).toMatchObject({ type: 'http-request_del-header', http_request_del_header_name: 'X-Forwarded-For' });
    expect(action).toMatchObject({ type: 'http-request_redirect', http_request_redirect: 'scheme https code 301' });
    expect(action.http_request_action).toBeUndefined();
    expect(action.enabled).toBeUndefined();
  });

  it('keeps legacy filter rules up to 26.1 and writes no Filter model', async () => {
    for (const release of ['25.7', '26.1']) {
      const files = await at(release);
      const filter = doc(files, 'filter.xml');
      expect(filter.OPNsense, release).toBeUndefined();
      for (const rule of filter.filter.rule) expect(rule, release).toMatchObject({ ipprotocol: 'inet', quick: '1', direction: 'in', statetype: 'keep state' });
    }
  });

  it('asks for ISC dhcpd explicitly', async () => {
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'dhcp_server'], 'isc');
    const files = await fragments(yaml, 'hosting');
    expect(Object.keys(doc(files, 'dhcp.xml').dhcpd)).toEqual(['lan', 'opt1', 'opt2', 'opt3']);
  });
});

describe('port forwards', () => {
  const yaml = (release: string) =>
    withRelease(edit(readExample('homelab'), ['sites', 0, 'firewall', 'nat', 'port_forwards'], [{ name: 'grafana', proto: 'tcp', port: 8443, service: 'grafana', target_port: 3000 }]), release);

  it('on 25.7: a legacy NAT rule linked to its pass rule through associated-rule-id', async () => {
    const files = await fragments(yaml('25.7'), 'home');
    const [forward] = doc(files, 'nat.xml').nat.rule;
    expect(forward).toMatchObject({ protocol: 'tcp', interface: 'wan', target: '10.1.0.120', 'local-port': '3000', destination: { network: 'wanip', port: '8443' } });
    const linked = policyRules(files).filter((r: Xml) => r['associated-rule-id'] !== undefined);
    expect(linked).toHaveLength(1);
    expect(linked[0]['associated-rule-id']).toBe(forward['associated-rule-id']);
    expect(linked[0]).toMatchObject({ type: 'pass', interface: 'wan', protocol: 'tcp', destination: { address: '10.1.0.120', port: '3000' } });
    expect(text(forward.descr)).toBe('gen: port forward grafana');
  });

  it('from 26.1: a Destination NAT rule with its source as <network>any</network> (the model drops <any/>), and the policy\'s own pass rule', async () => {
    for (const release of ['26.1', '26.7']) {
      const files = await fragments(yaml(release), 'home');
      const [forward] = doc(files, 'nat.xml').nat.rule;
      expect(forward, release).toMatchObject({
        sequence: '10',
        disabled: '0',
        protocol: 'tcp',
        interface: 'wan',
        ipprotocol: 'inet',
        source: { network: 'any', not: '0' },
        destination: { network: 'wanip', port: '8443', not: '0' },
        target: '10.1.0.120',
        'local-port': '3000',
      });
      expect(files.get('nat.xml')).not.toContain('<any/>');
      expect(text(forward['associated-rule-id'])).toBe('');
      expect(doc(files, 'nat.xml').nat['@version']).toBeUndefined();
      const pass = policyRules(files).filter((r: Xml) => r.descr === 'gen: port forward grafana');
      expect(pass).toEqual([expect.objectContaining({ type: 'pass', interface: 'wan', protocol: 'tcp', destination: expect.objectContaining({ address: '10.1.0.120', port: '3000' }) })]);
    }
  });
});

describe('outbound NAT of a full-tunnel VPN', () => {
  const full = (release: string, outbound?: string) => {
    let yaml = withRelease(edit(readExample('homelab'), ['sites', 0, 'wireguard', 0, 'tunnel'], 'full'), release);
    if (outbound) yaml = edit(yaml, ['sites', 0, 'firewall', 'nat', 'outbound'], outbound);
    return fragments(yaml, 'home');
  };

  it('turns automatic into hybrid with a legacy rule on the WAN for the tunnel network (25.7, 26.1)', async () => {
    const nat = doc(await full('26.1'), 'nat.xml').nat;
    expect(nat.outbound.mode).toBe('hybrid');
    expect(nat.outbound.rule).toEqual([
      expect.objectContaining({ interface: 'wan', ipprotocol: 'inet', source: { network: '10.0.1.0/24' }, destination: { any: '1' }, targetip_subnet: '0', descr: 'gen: NAT WireGuard wg0 tunnel to the WAN address' }),
    ]);
  });

  it('writes an MVC source NAT rule on 26.7, where legacy outbound rules bring up the migration assistant', async () => {
    const files = await full('26.7');
    expect(doc(files, 'nat.xml').nat.outbound).toEqual({ mode: 'hybrid' });
    expect(doc(files, 'filter.xml').OPNsense.Firewall.Filter.snatrules.rule).toEqual([
      expect.objectContaining({ enabled: '1', interface: 'wan', ipprotocol: 'inet', protocol: 'any', source_net: '10.0.1.0/24', destination_net: 'any', target: 'wanip', description: 'gen: NAT WireGuard wg0 tunnel to the WAN address' }),
    ]);
  });

  it('keeps manual (advanced) mode, and writes nothing when outbound NAT is disabled or the tunnel is split', async () => {
    expect(doc(await full('26.1', 'manual'), 'nat.xml').nat.outbound).toMatchObject({ mode: 'advanced', rule: [expect.objectContaining({ source: { network: '10.0.1.0/24' } })] });
    expect(doc(await full('26.1', 'disabled'), 'nat.xml').nat.outbound).toEqual({ mode: 'disabled' });
    expect(doc(await fragments(withRelease(readExample('homelab'), '26.1'), 'home'), 'nat.xml').nat.outbound).toEqual({ mode: 'automatic' });
  });
});

// A split tunnel's clients route only what the policy passes them into the tunnel, but what of it leaves the WAN
// (a host on the upstream router's LAN, an internet address) leaves with the tunnel's 10.0.1.x source, which
// nothing upstream routes back: automatic outbound NAT misses the tunnel (filter.inc takes the addresses
// interfaces carry when the rules are built), so gen writes the tunnel's rule whenever the policy passes it out.
describe('outbound NAT of a split tunnel the policy lets out of the WAN', () => {
  const TUNNEL = parseCidr('10.0.1.0/24');
  const vpnRules = (...rules: Xml[]) => rules.reduce((yaml, rule, i) => edit(yaml, ['sites', 0, 'policy', 'rules', 5 + i], { from: 'vpn', ...rule }), readExample('homelab'));
  // `to` is a destination the case is about; the firewall's own address is no destination out of the WAN.
  const cases: { name: string; yaml: string; to: string; nat: boolean }[] = [
    { name: "the upstream router's LAN", yaml: vpnRules({ name: 'vpn-to-router', to: '192.168.0.1', proto: 'tcp', ports: [80], action: 'pass' }), to: '192.168.0.1', nat: true },
    { name: 'an internet address', yaml: vpnRules({ name: 'vpn-to-dns', to: '203.0.113.53', proto: 'tcp', ports: [80], action: 'pass' }), to: '203.0.113.53', nat: true },
    { name: 'the internet', yaml: vpnRules({ name: 'vpn-internet', to: 'internet', action: 'pass' }), to: '198.51.100.7', nat: true },
    { name: 'internal networks only (as shipped)', yaml: readExample('homelab'), to: '192.168.0.1', nat: false },
    { name: 'the firewall itself', yaml: vpnRules({ name: 'vpn-to-firewall', to: 'self', proto: 'tcp', ports: [80], action: 'pass' }), to: '192.168.0.2', nat: false },
    {
      name: 'a pass behind a block of the same traffic',
      yaml: vpnRules({ name: 'vpn-no-upstream', to: '192.168.0.0/24', action: 'block' }, { name: 'vpn-to-router', to: '192.168.0.1', proto: 'tcp', ports: [80], action: 'pass' }),
      to: '192.168.0.1',
      nat: false,
    },
  ];

  it.each(cases)('$name: a rule on the WAN exactly when the compiled policy passes the tunnel out of it (26.1, 26.7)', async ({ yaml, to, nat }) => {
    // What the policy decides for the tunnel's clients, from the flow evaluation (the policy tests' own).
    const site = (await modelOf(yaml)).sites[0]!;
    const destination = parseCidr(`${to}/32`);
    if (!TUNNEL.ok || !destination.ok) throw new Error('bad CIDR');
    const self = site.firewall!.interfaces.some((i) => i.address === to);
    const passes = !self && flowVerdicts(site, [blockRange(TUNNEL.block)], [blockRange(destination.block)], 'tcp', 80).some((v) => v.verdict === 'accept');
    expect(passes).toBe(nat);
    if (self) expect(flowVerdicts(site, [blockRange(TUNNEL.block)], [blockRange(destination.block)], 'tcp', 80).map((v) => v.verdict)).toContain('accept');
    const description = 'gen: NAT WireGuard wg0 tunnel to the WAN address';
    const legacy = doc(await fragments(withRelease(yaml, '26.1'), 'home'), 'nat.xml').nat.outbound;
    expect([legacy.rule ?? []].flat().map((r: Xml) => [r.interface, r.source.network, r.destination, r.target, r.descr])).toEqual(passes ? [['wan', '10.0.1.0/24', { any: '1' }, '', description]] : []);
    expect(legacy.mode).toBe(passes ? 'hybrid' : 'automatic');
    const files = await fragments(withRelease(yaml, '26.7'), 'home');
    const snat = [doc(files, 'filter.xml').OPNsense.Firewall.Filter.snatrules?.rule ?? []].flat();
    expect(snat.map((r: Xml) => [r.interface, r.source_net, r.destination_net, r.target, r.description])).toEqual(passes ? [['wan', '10.0.1.0/24', 'any', 'wanip', description]] : []);
    expect(doc(files, 'nat.xml').nat.outbound.mode).toBe(passes ? 'hybrid' : 'automatic');
  });

  it('writes nothing when outbound NAT is disabled', async () => {
    const yaml = edit(cases[0]!.yaml, ['sites', 0, 'firewall', 'nat', 'outbound'], 'disabled');
    expect(doc(await fragments(withRelease(yaml, '26.1'), 'home'), 'nat.xml').nat.outbound).toEqual({ mode: 'disabled' });
  });
});

describe('forwarded port ranges', () => {
  it('passes the whole forwarded range, mapped onto the target from its first port', async () => {
    const forwards = [
      { name: 'game', proto: 'udp', port: '10000-10100', service: 'traefik', target_port: 20000 },
      { name: 'same', proto: 'tcp', port: '30000-30010', address: '10.1.0.130' },
    ];
    const files = await fragments(edit(readExample('homelab'), ['sites', 0, 'firewall', 'nat', 'port_forwards'], forwards), 'home');
    const nat = doc(files, 'nat.xml').nat.rule;
    expect(nat.map((r: Xml) => [r.destination.port, r['local-port']])).toEqual([['10000-10100', '20000'], ['30000-30010', '30000']]);
    const passes = policyRules(files).filter((r: Xml) => r.descr.startsWith('gen: port forward'));
    expect(passes.map((r: Xml) => [r.destination.address, r.destination.port])).toEqual([['10.1.0.100', '20000-20100'], ['10.1.0.130', '30000-30010']]);
  });

  it('refuses a range that the target port would push beyond 65535, at the target port', async () => {
    const yaml = edit(readExample('homelab'), ['sites', 0, 'firewall', 'nat', 'port_forwards'], [{ name: 'game', proto: 'udp', port: '10000-10100', service: 'traefik', target_port: 65500 }]);
    const found = (await lint(yaml)).filter((d) => d.rule === 'ports/range');
    expect(found.map((d) => [d.message, d.location.line])).toEqual([['port forward game: ports 10000-10100 mapped from 65500 end beyond 65535', lineOf(yaml, ['sites', 0, 'firewall', 'nat', 'port_forwards', 0, 'target_port'])]]);
  });
});

describe('a VPC joined by the site-to-site VPN', () => {
  it('passes the VPC\'s traffic on the IPsec interface enc0, not on the WireGuard group', async () => {
    let yaml = siteToSite();
    yaml = edit(yaml, ['sites', 0, 'policy', 'zones', 3], { name: 'cloud', networks: ['main'] });
    yaml = edit(yaml, ['sites', 0, 'policy', 'rules', 5], { name: 'cloud-to-service', from: 'cloud', to: 'service', proto: 'tcp', ports: [443], action: 'pass' });
    const rules: Xml[] = policyRules(await fragments(yaml, 'home'));
    const cloud = rules.filter((r) => r.descr === 'gen: policy rule cloud-to-service');
    expect(cloud.map((r) => [r.interface, r.protocol, r.source.address, r.destination.network, r.destination.port])).toEqual([['enc0', 'tcp', 'gen_net_main', 'opt1', '443']]);
    const aliases = doc(await fragments(yaml, 'home'), 'aliases.xml').OPNsense.Firewall.Alias.aliases.alias;
    expect([aliases].flat().map((a: Xml) => [a.name, a.type, a.content])).toContainEqual(['gen_net_main', 'network', '10.30.0.0/16']);
  });
});

describe('static routes and interface groups', () => {
  it('routes through named gateways, reusing the WAN gateway for its own address', async () => {
    const files = await fragments(withRoutesAndGroups(), 'home');
    const routes = doc(files, 'routes.xml');
    expect(routes.OPNsense.Gateways.gateway_item.map((g: Xml) => [g.name, g.interface, g.gateway, g.defaultgw])).toEqual([
      ['WAN_GW', 'wan', '192.168.0.1', '1'],
      ['GW_10_0_0_5', 'lan', '10.0.0.5', '0'],
    ]);
    expect(routes.staticroutes['@version']).toBe('1.0.1');
    for (const route of [routes.staticroutes.route].flat()) expect(route).toMatchObject({ enabled: '1' });
    expect([routes.staticroutes.route].flat().map((r: Xml) => [r.network, r.gateway, text(r.descr)])).toEqual([
      ['172.16.0.0/16', 'GW_10_0_0_5', 'Lab behind a router on the management network'],
      ['203.0.113.0/24', 'WAN_GW', ''],
    ]);
    const groups = doc(files, 'groups.xml').ifgroups;
    expect(groups['@version']).toBe('1.0.0');
    expect(groups.ifgroupentry[0]).toMatchObject({ ifname: 'internal', members: 'lan,opt1', descr: 'Internal networks' });
  });

  // OPNsense's automatic outbound NAT takes interfaces' networks only (filter.inc): the network behind the router on
  // the LAN would leave the WAN untranslated (its pf rule, from OPNsense's compiler: test/opnsense/opnsense-php.test.ts).
  it.each(['26.7', '25.7'])('translates the network behind a router on the LAN to the WAN address, in hybrid mode (%s)', async (release) => {
    const files = await fragments(withRelease(withRoutesAndGroups(), release), 'home');
    const description = 'gen: NAT network 172.16.0.0/16 behind 10.0.0.5 to the WAN address';
    if (release === '26.7') {
      const rules = [doc(files, 'filter.xml').OPNsense.Firewall.Filter.snatrules.rule].flat();
      expect(rules.map((r: Xml) => [r.interface, r.source_net, r.target, r.description])).toEqual([['wan', '172.16.0.0/16', 'wanip', description]]);
    } else {
      const rules = [doc(files, 'nat.xml').nat.outbound.rule].flat();
      expect(rules.map((r: Xml) => [r.interface, r.source.network, r.descr])).toEqual([['wan', '172.16.0.0/16', description]]);
    }
    expect(doc(files, 'nat.xml').nat.outbound.mode).toBe('hybrid');
    // The route through the WAN's gateway leads outside: no rule for it.
    expect(JSON.stringify([...files.values()])).not.toContain('NAT network 203.0.113.0/24');
  });

  // Nor does it take a remote network behind a WireGuard peer (filter_core_get_default_nat_outbound_networks): one the
  // policy lets out of the WAN gets gen's rule (its pf rule from OPNsense's compiler: test/opnsense/opnsense-php.test.ts),
  // one it keeps inside none.
  it.each(['26.7', '25.7'])('translates a remote network the policy lets out of the WAN to the WAN address, in hybrid mode (%s)', async (release) => {
    const office = edit(withRelease(readExample('homelab'), release), ['sites', 0, 'remote_networks'], [{ name: 'office', cidr: '10.50.0.0/24' }]);
    const outRules = (files: Map<string, string>) =>
      release === '26.7'
        ? [doc(files, 'filter.xml').OPNsense.Firewall.Filter.snatrules?.rule ?? []].flat().map((r: Xml) => [r.interface, r.source_net, r.description])
        : [doc(files, 'nat.xml').nat.outbound.rule ?? []].flat().map((r: Xml) => [r.interface, r.source.network, r.descr]);
    const out = await fragments(edit(office, ['sites', 0, 'policy', 'rules', 5], { name: 'office-out', from: 'office', to: 'internet', action: 'pass' }), 'home');
    expect(outRules(out)).toEqual([['wan', '10.50.0.0/24', 'gen: NAT remote network office 10.50.0.0/24 to the WAN address']]);
    expect(doc(out, 'nat.xml').nat.outbound.mode).toBe('hybrid');
    const inside = await fragments(edit(office, ['sites', 0, 'policy', 'rules', 5], { name: 'office-in', from: 'office', to: 'service', action: 'pass' }), 'home');
    expect(outRules(inside)).toEqual([]);
    expect(doc(inside, 'nat.xml').nat.outbound.mode).toBe('automatic');
  });

  it('reports a next hop on none of the firewall\'s networks', async () => {
    const yaml = edit(readExample('homelab'), ['sites', 0, 'firewall', 'routes'], [{ network: '172.16.0.0/16', via: '10.9.9.9' }]);
    const finding = (await lint(yaml)).find((d) => d.rule === 'ip/address-outside-network');
    expect(finding?.message).toMatch(/next hop 10\.9\.9\.9/);
  });
});
