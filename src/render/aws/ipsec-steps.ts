// The on-prem half of the site-to-site VPN as a step-by-step note for the
// OPNsense web interface (route-based IPsec with a VTI per AWS tunnel), with
// every value gen knows and the `terraform output` that gives the rest. The
// pre-shared keys stay in Terraform state: the note names the output only.
import type { Model, Site, Vpc } from '../../model.js';
import type { OutputFiles } from '../target.js';
import { tfName } from './names.js';
import { appendAll } from '../../arrays.js';
import { VPN_TCP_MSS } from '../../targets/aws/vpn.js';
import { TCP_IP_HEADERS } from '../opnsense/scrub.js';

function code(text: string): string {
  return `\`${text.replace(/`/g, '')}\``;
}

export function ipsecSteps(site: Site, vpc: Vpc, s2s: NonNullable<Vpc['siteToSite']>): string {
  const cg = tfName(s2s.site);
  const out = (name: string) => code(`terraform output -raw ${cg}_${name}`);
  const firewall = site.firewall;
  const wan = firewall?.interfaces.find((i) => i.isWan);
  const publicAddress = s2s.customerGatewayIp ?? 'unknown';
  // Behind a NAT router the tunnel starts at the WAN address and identifies itself by the public one.
  // A WAN that takes its address by DHCP behind the router has one gen does not know: strongSwan
  // initiates from the first local address, and the VTI's tunnel runs between the local and the
  // remote address (ipsec.inc: ifconfig ipsecN tunnel <local> <remote>), so the router's public
  // address there brings neither tunnel up.
  const behindNat = site.upstream !== undefined || (wan?.address !== undefined && wan.address !== publicAddress);
  const dhcpBehindNat = behindNat && wan?.address === undefined;
  const localAddress = wan?.address ?? (dhcpBehindNat ? undefined : publicAddress);
  const local = localAddress !== undefined ? code(localAddress) : "the WAN's current DHCP address (Interfaces › Overview)";
  const lines: string[] = [
    `# Site-to-site VPN ${site.name} ↔ AWS VPC ${vpc.name}: OPNsense steps`,
    '',
    `AWS side: out/aws/terraform/vpn.tf. Apply it first; the values marked "output" come from`,
    `\`terraform output\` in out/aws/terraform/ (the pre-shared keys are sensitive outputs and never`,
    'leave Terraform state in generated files).',
    '',
    '## Values',
    '',
    '| what | value |',
    '|---|---|',
    `| firewall public address (customer gateway, local identifier) | ${code(publicAddress)} |`,
    `| firewall WAN interface | ${code(wan ? `${wan.key} (${wan.device})` : 'wan')} |`,
    `| local address of the tunnels | ${localAddress !== undefined ? code(localAddress) : "the WAN's DHCP address: reserve it on the router, so that it stays"} |`,
    `| customer gateway BGP ASN | ${code(String(s2s.bgpAsn))} |`,
    `| routing | ${code('static')} |`,
    `| VPC network (remote) | ${code(vpc.cidr)} |`,
    `| on-prem networks (local, static routes on AWS) | ${s2s.onPremNetworks.map(code).join(', ') || 'none'} |`,
  ];
  // Destinations a VPC route table sends to the VPN gateway beyond the site's own networks.
  const onPrem = new Set(s2s.onPremNetworks);
  const beyond = s2s.connectionRoutes.filter((c) => !onPrem.has(c));
  if (beyond.length) lines.push(`| also routed to the site by the VPC (static routes on AWS; the firewall must route them) | ${beyond.map(code).join(', ')} |`);
  for (const n of [1, 2]) {
    lines.push(
      `| tunnel ${n} AWS outside address | output ${out(`vpn_tunnel${n}_address`)} |`,
      `| tunnel ${n} firewall inside address | output ${out(`vpn_tunnel${n}_cgw_inside_address`)} |`,
      `| tunnel ${n} AWS inside address | output ${out(`vpn_tunnel${n}_vgw_inside_address`)} |`,
      `| tunnel ${n} pre-shared key | output ${out(`vpn_tunnel${n}_preshared_key`)} |`,
    );
  }
  lines.push(
    '',
    '## Steps (repeat 1–4 for tunnel 2 with its own values and reqid 2)',
    '',
    // ipsec.inc (26.7.2) stops strongSwan while <ipsec><enable> is unset: no connection comes up without it.
    'First, VPN › IPsec › Connections: tick Enable and Apply (until then OPNsense keeps the IPsec service stopped).',
    '',
    `1. VPN › IPsec › Pre-Shared Keys › add: local identifier = ${code(publicAddress)}, remote identifier = the tunnel 1 AWS outside address, pre-shared key = the tunnel 1 pre-shared key.`,
    // Swanctl.xml (26.7.2): keyingtries empty is strongSwan's 1 attempt; UDP encapsulation forces NAT traversal, so only
    // UDP 500 and 4500 cross the WAN (the rules gen writes); the child's close and DPD actions "start" bring back a tunnel
    // AWS drops (AWS never starts one itself unless told to).
    `2. VPN › IPsec › Connections › add: version IKEv2, local addresses = ${local}, remote addresses = the tunnel 1 AWS outside address, proposals aes256-sha256-modp2048, UDP encapsulation on, DPD delay (s) 10, rekey time (s) 28800, keyingtries 0 (keep trying).`,
    `   - Local authentication: pre-shared key, id = ${code(publicAddress)}.`,
    '   - Remote authentication: pre-shared key, id = the tunnel 1 AWS outside address.',
    `   - Child: mode Tunnel with Policies unticked (route-based, through the VTI of step 3: with policies, ${code('0.0.0.0/0')} on both sides would send all traffic, the web GUI's included, into the tunnel), local ${code('0.0.0.0/0')}, remote ${code('0.0.0.0/0')}, reqid 1, ESP proposals aes256-sha256-modp2048, rekey time (s) 3600, start action Start, close action Start, DPD action Start (a tunnel that drops comes back by itself).`,
    `3. VPN › IPsec › Virtual Tunnel Interfaces › add: reqid 1, local address = ${local}, remote address = the tunnel 1 AWS outside address, tunnel local address = the tunnel 1 firewall inside address, tunnel remote address = the tunnel 1 AWS inside address.`,
    // filter.inc (26.7.2) turns an interface's MSS into `scrub on <device> inet all max-mss <MSS - 40>` (inet6: - 60).
    `4. Interfaces › Assignments: assign the new device ipsec1 (ipsec2 for reqid 2); on its page tick Enable and set MSS to ${code(String(VPN_TCP_MSS + TCP_IP_HEADERS.inet))}: OPNsense then clamps every TCP connection through the tunnel to segments of ${VPN_TCP_MSS} bytes (${VPN_TCP_MSS + TCP_IP_HEADERS.inet} − ${TCP_IP_HEADERS.inet} bytes of IPv4 and TCP headers), the clamp AWS sets on its own customer gateway configurations. AWS's VPN does no path MTU discovery: without the clamp, an instance in the VPC sends full-size segments that no longer fit the tunnel once encrypted, and large transfers from the VPC can stall. System › Gateways › Configuration: add a gateway on it with the tunnel 1 AWS inside address.`,
    `5. System › Routes › Configuration: add ${code(vpc.cidr)} via the tunnel 1 gateway. A static route has one gateway, and OPNsense never moves it when that gateway goes down: while tunnel 1 is down (AWS takes its tunnels down one at a time for maintenance), traffic to the VPC stops until you edit this route to the tunnel 2 gateway, which stays up for this. Failover without a hand on it needs BGP over both tunnels (os-frr), which gen does not set up.`,
    `6. No firewall rule by hand: gen's configuration passes IKE and NAT traversal (UDP 500 and 4500) to the WAN address (OPNsense adds such rules only for legacy tunnels), and what the VPC may reach on-prem is the topology's policy, which gen compiles onto the IPsec interface (Firewall › Rules, IPsec encapsulation): with no rule from the VPC, it reaches nothing on-prem. A rule added by hand on an interface gen assigns goes with the next merge; one on the IPsec tab stays (other IPsec tunnels share it) and OPNsense runs it among gen's there by sequence, so a pass there lets the VPC reach what the policy denies it (gen opnsense merge names each).`,
  );
  if (behindNat) {
    lines.push(
      `7. The router in front of the firewall (not managed by gen) must forward UDP 500 and UDP 4500 to ${localAddress !== undefined ? code(localAddress) : "the firewall's WAN address"} (steps.md lists them with its other forwards); IKEv2 then runs over NAT traversal.`,
    );
  }
  if (dhcpBehindNat) {
    lines.push(
      "8. The WAN takes its address by DHCP from that router: reserve the address for the firewall there. Should it change all the same, enter the new one as the local address of both connections and both virtual tunnel interfaces, and in the router's forwards; until then neither tunnel comes up.",
    );
  }
  const hostRoutes = site.hosts.flatMap((host) =>
    host.routes.filter((r) => r.network === vpc.network || r.destination === vpc.cidr).map((r) => `- ${host.name}: ${code(`${r.destination} via ${r.via} dev ${r.bridge}`)}`),
  );
  appendAll(lines, [
    '',
    '## Proxmox return routes',
    '',
    hostRoutes.length
      ? 'The hosts reach the VPC through the firewall; gen writes these routes into their interfaces files:'
      : 'No Proxmox host needs a route of its own to the VPC (their default gateway is the firewall).',
    ...(hostRoutes.length ? ['', ...hostRoutes] : []),
    '',
  ]);
  return lines.join('\n');
}

export function renderIpsecSteps(model: Model, files: OutputFiles): void {
  const vpc = model.aws?.vpc;
  const s2s = vpc?.siteToSite;
  if (!vpc || !s2s) return;
  const site = model.sites.find((s) => s.name === s2s.site);
  if (site) files.set(`${site.name}/opnsense/ipsec-steps.md`, ipsecSteps(site, vpc, s2s));
}
