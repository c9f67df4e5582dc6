// The fragments of scenarios A (homelab) and B (VLAN hosting), read back
// with an XML parser and checked value by value.
import { homedir, tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { siteToSite } from '../aws/fixtures.js';
import { edit, lint, readExample, root } from '../helpers.js';
import { type Xml, doc, fragments, text, withRoutesAndGroups } from './support.js';
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
      for (const path of [root, tmpdir(), homedir()]) expect(content, name).not.toContain(path);
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
    const rules: Xml[] = doc(files, 'filter.xml').filter.rule;
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
    for (const rule of rules) {
      expect(rule['@uuid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(rule).toMatchObject({ ipprotocol: 'inet', quick: '1', direction: 'in', statetype: 'keep state' });
    }
    expect(new Set(rules.map((r) => r['@uuid'])).size).toBe(rules.length);
    // No pfSense-style network names: OPNsense turns them into disabled rules.
    expect(files.get('filter.xml')).not.toMatch(/net<\/network>/);
    const alias = doc(files, 'aliases.xml').OPNsense.Firewall.Alias;
    expect(alias['@version']).toBe('1.0.1');
    expect(alias.aliases.alias.map((a: Xml) => a.name)).toEqual(['gen_net_wireguard', 'gen_internal_networks']);
    expect(alias.aliases.alias[0]).toMatchObject({ type: 'network', enabled: '1', content: '10.0.1.0/24', description: 'gen: network wireguard' });
    expect(alias.aliases.alias[1]).toMatchObject({ type: 'network', enabled: '1' });
    expect(alias.aliases.alias[1].content.split('\n')).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24']);
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
    expect(byName.get('laptop-john')).toMatchObject({ enabled: '1', tunneladdress: '10.0.1.3/32', keepalive: '25', pubkey: 'Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U=' });
    expect(byName.get('mac-workstation')).toMatchObject({ enabled: '1', tunneladdress: '10.0.1.2/32', keepalive: '25' });
    expect(byName.get('iphone-john')).toMatchObject({ enabled: '0', tunneladdress: '10.0.1.11/32' });
    expect(server.peers).not.toContain(byName.get('iphone-john')['@uuid']);
  });

  it('chains HAProxy frontend → backend → server by UUID and offloads TLS with the ACME certificate refid', () => {
    const ha = doc(files, 'haproxy.xml').OPNsense.HAProxy;
    expect(ha['@version']).toBe('4.1.0');
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
    const [action] = ha.actions.action;
    expect(redirect.linkedActions).toBe(action['@uuid']);
    expect(action).toMatchObject({ type: 'http-request_redirect', http_request_redirect: 'scheme https code 301' });

    const acme = doc(files, 'acme.xml');
    const [certificate] = acme.OPNsense.AcmeClient.certificates.certificate;
    const [cert] = acme.cert;
    expect(acme.OPNsense.AcmeClient['@version']).toBe('4.3.0');
    expect(certificate).toMatchObject({ name: '*.example.com', enabled: '1', autoRenewal: '1' });
    expect(cert.refid).toMatch(/^[0-9a-f]{13}$/);
    expect(certificate.certRefId).toBe(cert.refid);
    expect(https.ssl_certificates).toBe(cert.refid);
    expect(https.ssl_default_certificate).toBe(cert.refid);
    const [validation] = acme.OPNsense.AcmeClient.validations.validation;
    expect(certificate.validationMethod).toBe(validation['@uuid']);
    expect(validation).toMatchObject({ method: 'dns01', dns_service: 'dns_cf' });
    expect(certificate.account).toBe(acme.OPNsense.AcmeClient.accounts.account[0]['@uuid']);
    expect(certificate.restartActions).toBe(acme.OPNsense.AcmeClient.actions.action[0]['@uuid']);
  });

  it('sets outbound NAT to automatic and has no port forwards', () => {
    const nat = doc(files, 'nat.xml').nat;
    expect(nat.outbound.mode).toBe('automatic');
    expect(nat.rule).toBeUndefined();
  });
});

describe('scenario B (VLAN hosting): OPNsense fragments', async () => {
  const files = await fragments(readExample('vlan-hosting'), 'hosting');

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
    // A DHCP WAN has a dynamic gateway: no gateway items to write.
    expect(files.has('routes.xml')).toBe(false);
  });

  it('serves DHCP with dnsmasq on 25.7: one range per interface', () => {
    const dnsmasq = doc(files, 'dhcp.xml').dnsmasq;
    expect(dnsmasq['@version']).toBe('1.0.8');
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
    const rules: Xml[] = doc(files, 'filter.xml').filter.rule;
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
  it('uses ISC dhcpd and the 24.7 model versions for release 24.7', async () => {
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'release'], '24.7');
    const files = await fragments(yaml, 'hosting');
    const dhcpd = doc(files, 'dhcp.xml').dhcpd;
    expect(doc(files, 'dhcp.xml').dnsmasq).toBeUndefined();
    expect(dhcpd.opt3).toMatchObject({ enable: '1', range: { from: '192.168.30.100', to: '192.168.30.199' } });
    expect(Object.keys(dhcpd)).toEqual(['lan', 'opt1', 'opt2', 'opt3']);
    expect(doc(files, 'acme.xml').OPNsense.AcmeClient['@version']).toBe('4.2.0');
  });

  it('drops the WireGuard debug field before 25.7.6 and uses HAProxy 5.0.0 on 26.1', async () => {
    const early = await fragments(edit(readExample('homelab'), ['sites', 0, 'firewall', 'release'], '25.7.5'), 'home');
    const server = doc(early, 'wireguard.xml').OPNsense.wireguard.server;
    expect(server['@version']).toBe('1.0.0');
    expect(server.servers.server[0].debug).toBeUndefined();
    const late = await fragments(edit(readExample('homelab'), ['sites', 0, 'firewall', 'release'], '26.1'), 'home');
    expect(doc(late, 'haproxy.xml').OPNsense.HAProxy['@version']).toBe('5.0.0');
  });

  it('keeps HAProxy 4.1.0 on 26.1.0-26.1.1 (os-haproxy 5 came with 26.1.2)', async () => {
    const haproxy = async (release: string) =>
      doc(await fragments(edit(readExample('homelab'), ['sites', 0, 'firewall', 'release'], release), 'home'), 'haproxy.xml').OPNsense.HAProxy['@version'];
    expect(await haproxy('26.1.1')).toBe('4.1.0');
    expect(await haproxy('26.1.2')).toBe('5.0.0');
  });

  it('asks for ISC dhcpd explicitly on 25.7', async () => {
    const yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'firewall', 'dhcp_server'], 'isc');
    const files = await fragments(yaml, 'hosting');
    expect(Object.keys(doc(files, 'dhcp.xml').dhcpd)).toEqual(['lan', 'opt1', 'opt2', 'opt3']);
  });
});

describe('port forwards', () => {
  it('links each port forward to its pass rule through associated-rule-id', async () => {
    const yaml = edit(readExample('homelab'), ['sites', 0, 'firewall', 'nat', 'port_forwards'], [{ name: 'grafana', proto: 'tcp', port: 8443, service: 'grafana', target_port: 3000 }]);
    const files = await fragments(yaml, 'home');
    const [forward] = doc(files, 'nat.xml').nat.rule;
    expect(forward).toMatchObject({ protocol: 'tcp', interface: 'wan', target: '10.1.0.120', 'local-port': '3000', destination: { network: 'wanip', port: '8443' } });
    const linked = doc(files, 'filter.xml').filter.rule.filter((r: Xml) => r['associated-rule-id'] !== undefined);
    expect(linked).toHaveLength(1);
    expect(linked[0]['associated-rule-id']).toBe(forward['associated-rule-id']);
    expect(linked[0]).toMatchObject({ type: 'pass', interface: 'wan', protocol: 'tcp', destination: { address: '10.1.0.120', port: '3000' } });
    expect(text(forward.descr)).toBe('gen: port forward grafana');
  });

  it('passes the whole forwarded range, mapped onto the target from its first port', async () => {
    const forwards = [
      { name: 'game', proto: 'udp', port: '10000-10100', service: 'traefik', target_port: 20000 },
      { name: 'same', proto: 'tcp', port: '30000-30010', address: '10.1.0.130' },
    ];
    const files = await fragments(edit(readExample('homelab'), ['sites', 0, 'firewall', 'nat', 'port_forwards'], forwards), 'home');
    const nat = doc(files, 'nat.xml').nat.rule;
    expect(nat.map((r: Xml) => [r.destination.port, r['local-port']])).toEqual([['10000-10100', '20000'], ['30000-30010', '30000']]);
    const linked = doc(files, 'filter.xml').filter.rule.filter((r: Xml) => r['associated-rule-id'] !== undefined);
    expect(linked.map((r: Xml) => [r.destination.address, r.destination.port])).toEqual([['10.1.0.100', '20000-20100'], ['10.1.0.130', '30000-30010']]);
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
    const rules: Xml[] = doc(await fragments(yaml, 'home'), 'filter.xml').filter.rule;
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
    expect(routes.staticroutes['@version']).toBe('1.0.0');
    expect([routes.staticroutes.route].flat().map((r: Xml) => [r.network, r.gateway, text(r.descr)])).toEqual([
      ['172.16.0.0/16', 'GW_10_0_0_5', 'Lab behind a router on the management network'],
      ['203.0.113.0/24', 'WAN_GW', ''],
    ]);
    const groups = doc(files, 'groups.xml').ifgroups;
    expect(groups['@version']).toBe('1.0.0');
    expect(groups.ifgroupentry[0]).toMatchObject({ ifname: 'internal', members: 'lan,opt1', descr: 'Internal networks' });
  });

  it('reports a next hop on none of the firewall\'s networks', async () => {
    const yaml = edit(readExample('homelab'), ['sites', 0, 'firewall', 'routes'], [{ network: '172.16.0.0/16', via: '10.9.9.9' }]);
    const finding = (await lint(yaml)).find((d) => d.rule === 'ip/address-outside-network');
    expect(finding?.message).toMatch(/next hop 10\.9\.9\.9/);
  });
});
