// The site-to-site variant (test/aws/fixtures/site-to-site.yaml): the AWS
// half in vpn.tf and the on-prem half as the OPNsense IPsec note, with the
// Proxmox return route for the VPC.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { edit, lint, modelOf, render, root } from '../helpers.js';
import { lineOf, positionOf } from '../yaml-lines.js';
import { siteToSite } from './fixtures.js';
import { parseTerraform, type Resources, schemaProblems } from './tf-validate.js';
import { policyRules } from '../opnsense/support.js';

const ref = (expr: string) => `\${${expr}}`;

describe('site-to-site VPN between site home and VPC main', () => {
  let files: Map<string, string>;
  let resources: Resources;
  beforeAll(async () => {
    files = await render(siteToSite());
    resources = (await parseTerraform(files)).resources;
  });
  const body = (key: string) => resources.get(key)!.body;
  const of = (type: string) => [...resources.values()].filter((r) => r.type === type);

  it('lints clean', async () => {
    expect(await lint(siteToSite())).toEqual([]);
  });

  it('customer gateway at the firewall public address, VPN gateway on the VPC, static IPsec connection', () => {
    expect(body('aws_customer_gateway.home')).toMatchObject({ ip_address: '203.0.113.2', bgp_asn: '65010', type: 'ipsec.1' });
    // ip_address and bgp_asn force a new gateway, which AWS cannot delete while the connection uses it:
    // the replacement is made first (the connection's customer_gateway_id is updated in place).
    expect(body('aws_customer_gateway.home').lifecycle).toEqual([{ create_before_destroy: true }]);
    expect(body('aws_vpn_gateway.main').vpc_id).toBe(ref('aws_vpc.main.id'));
    expect(body('aws_vpn_connection.home')).toMatchObject({
      vpn_gateway_id: ref('aws_vpn_gateway.main.id'),
      customer_gateway_id: ref('aws_customer_gateway.home.id'),
      type: 'ipsec.1',
      static_routes_only: true,
    });
  });

  it('every ASN the schema takes goes in the CreateCustomerGateway field whose range holds it, and lint refuses none of them', async () => {
    // The EC2 API reference, CreateCustomerGateway: BgpAsn "Valid values: 1 to 2,147,483,647", BgpAsnExtended
    // "Valid values: 2,147,483,648 to 4,294,967,295"; hashicorp/aws sends bgp_asn as BgpAsn (an int32) and
    // bgp_asn_extended as BgpAsnExtended (internal/service/ec2/vpnsite_customer_gateway.go).
    const API: Record<string, [number, number]> = { bgp_asn: [1, 2147483647], bgp_asn_extended: [2147483648, 4294967295] };
    const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'));
    const { minimum, maximum } = schema.$defs.vpc.properties.site_to_site.properties.bgp_asn as { minimum: number; maximum: number };
    expect([minimum, maximum]).toEqual([1, 4294967295]);
    for (const asn of [minimum, 65010, 2147483647, 2147483648, 4200000000, 4294967294, maximum]) {
      const text = siteToSite().replace('bgp_asn: 65010', `bgp_asn: ${asn}`);
      expect((await lint(text)).filter((d) => d.severity === 'error').map((d) => d.message), String(asn)).toEqual([]);
      const parsed = await parseTerraform(await render(text));
      const body = parsed.resources.get('aws_customer_gateway.home')!.body;
      const fields = Object.keys(API).filter((k) => body[k] !== undefined);
      expect(fields, String(asn)).toHaveLength(1);
      const [low, high] = API[fields[0]!]!;
      expect(Number(body[fields[0]!]), String(asn)).toBe(asn);
      expect(asn >= low && asn <= high, `${asn} in ${fields[0]}`).toBe(true);
      expect(schemaProblems(parsed.resources)).toEqual([]);
    }
  });

  it('refuses a customer gateway ASN that AWS keeps for itself, in every region or in its own (Site-to-Site VPN User Guide, customer gateway options)', async () => {
    const refused = async (asn: number, region: string) => {
      const text = edit(siteToSite().replace('bgp_asn: 65010', `bgp_asn: ${asn}`), ['aws', 'region'], region);
      return (await lint(text)).filter((d) => d.rule === 'aws/refused-value').map((d) => [d.message, d.location.line, d.location.col]);
    };
    const at = lineOf(siteToSite(), ['aws', 'vpc', 'site_to_site', 'bgp_asn']);
    const column = positionOf(siteToSite(), ['aws', 'vpc', 'site_to_site', 'bgp_asn']).col;
    expect(await refused(7224, 'ap-northeast-2')).toEqual([["BGP ASN 7224 is AWS's own in every region: a customer gateway may not take it", at, column]]);
    for (const [asn, region] of [[9059, 'eu-west-1'], [10124, 'ap-northeast-1'], [17943, 'ap-southeast-1']] as const) {
      expect(await refused(asn, region)).toEqual([[`BGP ASN ${asn} is AWS's own in region ${region}: a customer gateway may not take it`, at, column]]);
      // Elsewhere it is an ordinary public ASN, which a network that holds it may use.
      expect(await refused(asn, 'us-west-2')).toEqual([]);
    }
    expect(await refused(64512, 'ap-northeast-2')).toEqual([]);
    // 17493, the ASN of AWS's own Singapore gateways of old, is not on the customer gateway's list: a network may hold it.
    expect(await refused(17493, 'ap-southeast-1')).toEqual([]);
  });

  it('static routes for exactly the on-prem networks behind the firewall', () => {
    expect(of('aws_vpn_connection_route').map((r) => r.body.destination_cidr_block).sort()).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24']);
    expect(of('aws_vpn_connection_route').every((r) => r.body.vpn_connection_id === ref('aws_vpn_connection.home.id'))).toBe(true);
  });

  it('the VPN also carries the networks of static routes through internal routers: AWS drops what has no connection route', async () => {
    const text = edit(siteToSite(), ['sites', 0, 'firewall', 'routes'], [
      { network: '172.16.0.0/16', via: '10.0.0.5', description: 'Lab behind a router on the management network' },
      { network: '203.0.113.0/24', via: '192.168.0.1' },
    ]);
    expect((await lint(text)).filter((d) => d.severity === 'error')).toEqual([]);
    const withLab = await render(text);
    const routes = [...(await parseTerraform(withLab)).resources.values()].filter((r) => r.type === 'aws_vpn_connection_route').map((r) => r.body.destination_cidr_block).sort();
    // The lab behind 10.0.0.5, not the network behind the WAN's gateway.
    expect(routes).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24', '172.16.0.0/16']);
    expect(withLab.get('home/opnsense/ipsec-steps.md')).toContain('| on-prem networks (local, static routes on AWS) | `10.0.0.0/24`, `10.0.1.0/24`, `10.1.0.0/24`, `172.16.0.0/16` |');
  });

  it('propagates the VPN routes into every route table; the private tier leaves through the NAT gateway', () => {
    expect(of('aws_vpn_gateway_route_propagation').map((r) => r.body.route_table_id).sort()).toEqual([ref('aws_route_table.private.id'), ref('aws_route_table.public.id')]);
    expect(body('aws_nat_gateway.main')).toMatchObject({ subnet_id: ref('aws_subnet.public-2a.id'), allocation_id: ref('aws_eip.main_nat.id') });
    expect(body('aws_route.private_0_0_0_0_0')).toEqual({
      route_table_id: ref('aws_route_table.private.id'),
      destination_cidr_block: '0.0.0.0/0',
      nat_gateway_id: ref('aws_nat_gateway.main.id'),
    });
  });

  it('the tunnel pre-shared keys are sensitive outputs, never values in generated files', async () => {
    const outputs = (await parseTerraform(files)).docs['outputs.tf']!.output;
    for (const n of [1, 2]) {
      expect(outputs[`home_vpn_tunnel${n}_preshared_key`][0]).toEqual({
        description: `Pre-shared key of tunnel ${n}`,
        value: ref(`aws_vpn_connection.home.tunnel${n}_preshared_key`),
        sensitive: true,
      });
    }
    expect(body('aws_vpn_connection.home').tunnel1_preshared_key).toBeUndefined();
  });

  it('the OPNsense IPsec note carries every value gen knows and names the outputs for the rest', () => {
    const note = files.get('home/opnsense/ipsec-steps.md')!;
    expect(note).toContain('| firewall public address (customer gateway, local identifier) | `203.0.113.2` |');
    expect(note).toContain('| local address of the tunnels | `192.168.0.2` |');
    expect(note).toContain('| VPC network (remote) | `10.30.0.0/16` |');
    expect(note).toContain('| on-prem networks (local, static routes on AWS) | `10.0.0.0/24`, `10.0.1.0/24`, `10.1.0.0/24` |');
    expect(note).toContain('| tunnel 1 pre-shared key | output `terraform output -raw home_vpn_tunnel1_preshared_key` |');
    expect(note).toContain('5. System › Routes › Configuration: add `10.30.0.0/16` via the tunnel 1 gateway.');
    // OPNsense 26.7 moves no static route when its gateway goes down (Routes/Route.xml has one gateway,
    // listed without gateway groups; the dpinger alarm hook only kills states): the switch is by hand.
    expect(note).not.toMatch(/moves to|fails over/);
    expect(note).toContain('traffic to the VPC stops until you edit this route to the tunnel 2 gateway');
    // One static route per network: the steps repeated for tunnel 2 stop before the route.
    expect(note).toContain('## Steps (repeat 1–4 for tunnel 2 with its own values and reqid 2)');
    expect(note).toContain('assign the new device ipsec1 (ipsec2 for reqid 2)');
    // AWS's VPN does no path MTU discovery: the tunnel interface clamps TCP, as AWS's own customer gateway
    // configurations do (ip tcp adjust-mss 1379); OPNsense's interface MSS field is that plus the 40 bytes of
    // IPv4 and TCP headers (filter.inc), checked against pf in test/opnsense/opnsense-php.test.ts.
    expect(Number(/assign the new device ipsec1 .*?set MSS to `(\d+)`/.exec(note)?.[1]) - 40).toBe(1379);
    // What OPNsense 26.7 offers and needs (IPsec/Swanctl.xml, ipsec.inc): the service enabled, a tunnel-mode child
    // without policies (route-based through the VTI), NAT traversal forced, and a tunnel that comes back by itself.
    expect(note).toContain('First, VPN › IPsec › Connections: tick Enable and Apply');
    expect(note).toContain('UDP encapsulation on, DPD delay (s) 10, rekey time (s) 28800, keyingtries 0');
    expect(note).toContain('Child: mode Tunnel with Policies unticked');
    expect(note).toContain('start action Start, close action Start, DPD action Start');
    expect(note).not.toMatch(/mode route-based|added automatically/);
    expect(note).toContain('System › Gateways › Configuration: add a gateway');
    // Behind the NAT router of scenario A, IKE must be forwarded.
    expect(note).toContain('forward UDP 500 and UDP 4500 to `192.168.0.2`');
    expect(note).toContain('- pve: `10.30.0.0/16 via 10.0.0.1 dev vmbr1`');
    // The outputs the note names exist.
    for (const m of note.matchAll(/terraform output -raw ([A-Za-z0-9_-]+)/g)) expect(files.get('aws/terraform/outputs.tf')).toContain(`output "${m[1]}" {`);
  });

  it("behind the NAT router with a WAN by DHCP, the tunnels start at the WAN's address, not the router's public one", async () => {
    const dhcp = edit(edit(siteToSite(), ['sites', 0, 'firewall', 'interfaces', 0, 'address'], 'dhcp'), ['sites', 0, 'firewall', 'interfaces', 0, 'gateway'], undefined);
    expect((await lint(dhcp)).filter((d) => d.severity === 'error')).toEqual([]);
    const note = (await render(dhcp)).get('home/opnsense/ipsec-steps.md')!;
    // strongSwan initiates from the first local address, and the VTI runs between its local and remote address:
    // the router's public address is no address of the firewall.
    expect(note).not.toContain('local addresses = `203.0.113.2`');
    expect(note).not.toContain('local address = `203.0.113.2`');
    expect(note).toContain("local addresses = the WAN's current DHCP address (Interfaces › Overview), remote addresses");
    expect(note).toContain("reqid 1, local address = the WAN's current DHCP address (Interfaces › Overview), remote address");
    expect(note).toContain("| local address of the tunnels | the WAN's DHCP address: reserve it on the router, so that it stays |");
    // Its identity is still the public address, and the router still forwards IKE.
    expect(note).toContain('local identifier = `203.0.113.2`');
    expect(note).toContain("7. The router in front of the firewall (not managed by gen) must forward UDP 500 and UDP 4500 to the firewall's WAN address");
    expect(note).toContain('8. The WAN takes its address by DHCP from that router: reserve the address for the firewall there.');
  });

  it('the firewall passes IKE and NAT traversal to its WAN address, and the upstream router is told to forward them', async () => {
    // OPNsense adds WAN rules for legacy tunnels only (ipsec.inc ipsec_firewall()); a hand-made one would go with the next merge.
    const opnsense = new Map([...files].filter(([path]) => path.startsWith('home/opnsense/')).map(([path, text]) => [path.slice('home/opnsense/'.length), text]));
    const rules = policyRules(opnsense).filter((r) => String(r.descr).includes('site-to-site VPN to AWS VPC main'));
    expect(rules.map((r) => [r.type, r.interface, r.protocol, r.destination])).toEqual([
      ['pass', 'wan', 'udp', { network: 'wanip', port: '500' }],
      ['pass', 'wan', 'udp', { network: 'wanip', port: '4500' }],
    ]);
    const site = (await modelOf(siteToSite())).sites[0]!;
    const { evaluateFirewallFlow } = await import('../../src/flows.js');
    for (const port of [500, 4500]) {
      expect(evaluateFirewallFlow(site, { name: 'ike', from: 'internet', to: 'wan', proto: 'udp', port, expect: 'accept', path: [] }).map((v) => v.verdict)).toEqual(['accept']);
    }
    const steps = files.get('home/steps.md')!;
    expect(steps).toContain('forward UDP 500 to 192.168.0.2 (the site-to-site VPN to AWS VPC main)');
    expect(steps).toContain('forward UDP 4500 to 192.168.0.2 (the site-to-site VPN to AWS VPC main)');
  });

  it('a WireGuard instance on UDP 500 or 4500 is refused where the site-to-site VPN holds them', async () => {
    for (const port of [500, 4500]) {
      const text = edit(siteToSite(), ['sites', 0, 'wireguard', 0, 'listen_port'], port);
      const found = (await lint(text)).filter((d) => d.rule === 'wg/duplicate-listen-port');
      expect(found.map((d) => [d.message, d.location.line])).toEqual([
        [`WireGuard instance wg0 listens on UDP ${port}, which the site-to-site VPN's IPsec holds on the firewall (IKE on 500, NAT traversal on 4500)`, lineOf(text, ['sites', 0, 'wireguard', 0, 'listen_port'])],
      ]);
    }
    expect((await lint(siteToSite())).filter((d) => d.rule === 'wg/duplicate-listen-port')).toEqual([]);
  });

  it('the Proxmox host gets the return route for the VPC through the firewall', async () => {
    const model = await modelOf(siteToSite());
    expect(model.sites[0]!.hosts[0]!.routes).toContainEqual({ destination: '10.30.0.0/16', via: '10.0.0.1', bridge: 'vmbr1', network: 'aws/main' });
  });

  it('a tier with egress none gets no internet route; the NAT gateway stays the way out of the others', async () => {
    let text = edit(siteToSite(), ['aws', 'vpc', 'subnets', 4], { name: 'db-2a', az: 'ap-northeast-2a', cidr: '10.30.201.0/24', tier: 'db' });
    text = edit(edit(text, ['aws', 'vpc', 'subnets', 5], { name: 'db-2c', az: 'ap-northeast-2c', cidr: '10.30.202.0/24', tier: 'db' }), ['aws', 'vpc', 'route_tables'], [{ tier: 'db', egress: 'none' }]);
    expect(await lint(text)).toEqual([]);
    const parsed = await parseTerraform(await render(text));
    const routes = [...parsed.resources.values()].filter((r) => r.type === 'aws_route').map((r) => [r.body.route_table_id, r.body.destination_cidr_block]);
    expect(routes).toContainEqual([ref('aws_route_table.private.id'), '0.0.0.0/0']);
    expect(routes.filter(([table]) => table === ref('aws_route_table.db.id'))).toEqual([]);
    expect(parsed.resources.has('aws_route_table.db')).toBe(true);
    expect(schemaProblems(parsed.resources)).toEqual([]);
  });

  it('egress is a located error on the public tier, and nat-gateway without a NAT gateway', async () => {
    const onPublic = edit(siteToSite(), ['aws', 'vpc', 'route_tables'], [{ tier: 'public', egress: 'none' }]);
    const found = (await lint(onPublic)).filter((d) => d.rule === 'aws/route-target');
    expect(found.map((d) => [d.message, d.location.line])).toEqual([
      ['the public tier goes out through the internet gateway: that is what makes it public', lineOf(onPublic, ['aws', 'vpc', 'route_tables', 0, 'egress'])],
    ]);
    const withoutNat = edit(edit(siteToSite(), ['aws', 'vpc', 'nat_gateway'], false), ['aws', 'vpc', 'route_tables'], [{ tier: 'private', egress: 'nat-gateway' }]);
    const noNat = (await lint(withoutNat)).filter((d) => d.rule === 'aws/route-target');
    expect(noNat.map((d) => [d.message, d.location.line])).toEqual([
      ['tier private: route 0.0.0.0/0 goes to a NAT gateway, but the VPC has none', lineOf(withoutNat, ['aws', 'vpc', 'route_tables', 0, 'egress'])],
    ]);
  });

  it('a route to the VPN gateway gets its static route on the VPN connection, or AWS would drop it', async () => {
    const text = edit(siteToSite(), ['aws', 'vpc', 'route_tables'], [
      { tier: 'private', routes: [{ destination: '172.20.0.0/16', target: 'vpn-gateway' }, { destination: '10.0.0.0/24', target: 'vpn-gateway' }] },
    ]);
    expect(await lint(text)).toEqual([]);
    const rendered = await render(text);
    const parsed = await parseTerraform(rendered);
    const connectionRoutes = [...parsed.resources.values()].filter((r) => r.type === 'aws_vpn_connection_route').map((r) => r.body.destination_cidr_block);
    expect(connectionRoutes.sort()).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24', '172.20.0.0/16']);
    const toVgw = [...parsed.resources.values()].filter((r) => r.type === 'aws_route' && r.body.gateway_id === ref('aws_vpn_gateway.main.id'));
    expect(toVgw.map((r) => r.body.destination_cidr_block).sort()).toEqual(['10.0.0.0/24', '172.20.0.0/16']);
    expect(schemaProblems(parsed.resources)).toEqual([]);
    expect(rendered.get('home/opnsense/ipsec-steps.md')).toContain('| also routed to the site by the VPC (static routes on AWS; the firewall must route them) | `172.20.0.0/16` |');
  });

  it('without a public address anywhere, the customer gateway is a located error and no VPN is written', async () => {
    const text = edit(siteToSite(), ['sites', 0, 'firewall', 'public_address'], undefined);
    const diagnostics = await lint(text);
    expect(diagnostics.map((d) => d.rule)).toContain('aws/customer-gateway');
  });
});
