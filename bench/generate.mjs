// Synthetic topologies for the benchmark: a homelab site scaled up in one
// dimension (peers, VLANs, rules) and a VPC with many subnets and rules.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';

function key(seed) {
  return createHash('sha256').update(String(seed)).digest('base64');
}

function ip(n) {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** One site: firewall, host, WireGuard with `peers` peers, `rules` extra rules, `vlans` VLANs. */

/**
 * The i-th port a generated block rule closes: every port but those of OPNsense's anti-lockout
 * rule (22, 80, 443), which passes them from management to the firewall before any rule. A block
 * of one of them from management to a network holding a firewall address would be reported
 * (policy/anti-lockout-open), and the scale topologies lint clean.
 */
const ANTI_LOCKOUT_PORTS = new Set([22, 80, 443]);
const BLOCKABLE_PORTS = Array.from({ length: 65535 }, (_, i) => i + 1).filter((p) => !ANTI_LOCKOUT_PORTS.has(p));
function blockedPort(i) {
  return BLOCKABLE_PORTS[i % BLOCKABLE_PORTS.length];
}

export function siteTopology({ peers = 0, rules = 0, vlans = 0 } = {}) {
  const tunnelBase = (10 << 24) | (200 << 16); // 10.200.0.0/16
  const interfaces = [
    { name: 'wan', device: 'vtnet0', bridge: 'vmbr0', address: '192.168.0.2/24', gateway: '192.168.0.1' },
    { name: 'management', description: 'Management', device: 'vtnet1', bridge: 'vmbr1', address: '10.0.0.1/24' },
    { name: 'service', description: 'Service', device: 'vtnet2', bridge: 'vmbr2', address: '10.1.0.1/24' },
    { name: 'wireguard', description: 'WireGuard', wireguard: 'wg0' },
  ];
  for (let v = 0; v < vlans; v++) {
    interfaces.push({
      name: `vlan${v + 1}`,
      description: `VLAN${v + 1}`,
      vlan: { parent: 'service', tag: v + 2 }, // tag 1 is the bridge's untagged native VLAN
      address: `10.${100 + (v >> 8)}.${v & 255}.1/24`,
    });
  }
  const zoneRules = [
    { name: 'vpn-to-management', from: 'vpn', to: 'management', action: 'pass' },
    { name: 'vpn-to-service', from: 'vpn', to: 'service', action: 'pass' },
    { name: 'management-out', from: 'management', to: 'any', action: 'pass' },
    { name: 'service-internet-only', from: 'service', to: 'internet', action: 'pass' },
  ];
  // Exceptions carved out of management-out, which passes everything from management: before it,
  // each block decides its port (after it, none could ever match; a pass would change nothing).
  const generated = [];
  for (let r = 0; r < rules; r++) {
    generated.push({ name: `generated-${r}`, from: 'management', to: 'service', proto: 'tcp', ports: [blockedPort(r)], action: 'block' });
  }
  zoneRules.splice(2, 0, ...generated);
  return {
    version: 1,
    name: 'bench',
    sites: [
      {
        name: 'home',
        proxmox: {
          hosts: [
            {
              name: 'pve',
              ports: ['eno1'],
              bridges: [
                { name: 'vmbr0', ports: ['eno1'], address: '192.168.0.10/24' },
                { name: 'vmbr1', address: '10.0.0.254/24' },
                { name: 'vmbr2' },
              ],
            },
          ],
        },
        firewall: { name: 'opnsense', release: '26.7', vm: { id: 102, host: 'pve' }, interfaces },
        wireguard: [
          {
            name: 'wg0',
            listen_port: 51820,
            address: '10.200.0.1/16',
            public_key: key('instance'),
            endpoint: 'vpn.example.com',
            roles: [{ name: 'client', from: '10.200.0.2', to: '10.200.255.254' }],
            peers: Array.from({ length: peers }, (_, i) => ({ name: `peer-${i}`, role: 'client', address: ip(tunnelBase + 2 + i), public_key: key(i) })),
          },
        ],
        policy: {
          zones: [
            { name: 'management', networks: ['management'] },
            { name: 'service', networks: ['service', ...Array.from({ length: vlans }, (_, v) => `vlan${v + 1}`)] },
            { name: 'vpn', networks: ['wireguard'] },
          ],
          rules: zoneRules,
        },
      },
    ],
  };
}

/**
 * The shape the scale targets are set for: `peers` WireGuard peers, `rules`
 * rules, and `vlans` VLANs each holding one service. The zone `service` holds
 * the service network and every VLAN, the zone `apps` every service. The
 * rules block one port each, in turn TCP and UDP from management to
 * `service` and from the VPN to `apps`, so none repeats another before
 * 262,140 rules (a repeat would be a finding, not work).
 */
export function scaleTopology({ peers, rules, vlans }) {
  const topology = siteTopology({ vlans });
  const site = topology.sites[0];
  const wg = site.wireguard[0];
  // 10.200.0.0/14: room for 262,140 peers.
  const tunnelBase = (10 << 24) | (200 << 16);
  wg.address = '10.200.0.1/14';
  wg.roles = [{ name: 'client', from: '10.200.0.2', to: '10.203.255.254' }];
  wg.peers = Array.from({ length: peers }, (_, i) => ({ name: `peer-${i}`, role: 'client', address: ip(tunnelBase + 2 + i), public_key: key(i) }));
  site.services = Array.from({ length: vlans }, (_, v) => ({
    name: `svc-${v + 1}`,
    network: `vlan${v + 1}`,
    address: `10.${100 + (v >> 8)}.${v & 255}.10`,
    port: 1024 + v,
  }));
  const combos = [
    { from: 'management', to: 'service', proto: 'tcp' },
    { from: 'management', to: 'service', proto: 'udp' },
    { from: 'vpn', to: 'apps', proto: 'tcp' },
    { from: 'vpn', to: 'apps', proto: 'udp' },
  ];
  const generated = Array.from({ length: rules }, (_, r) => ({
    name: `generated-${r}`,
    ...combos[r % 4],
    ports: [blockedPort(Math.floor(r / 4))],
    action: 'block',
  }));
  site.policy.zones.push({ name: 'apps', members: site.services.map((s) => s.name) });
  // Blocks first: each carves its port out of a later pass (vpn-to-service, management-out).
  site.policy.rules = [...generated, ...site.policy.rules];
  return topology;
}

/**
 * A site whose policy names objects: `peers` WireGuard peers in three
 * roles, `services` services, and `rules` rules from peers, roles and zones
 * to services, CIDRs and zones, with ports and ranges (some shadowed).
 */
export function policyTopology({ peers = 2000, services = 500, rules = 5000 } = {}) {
  const base = siteTopology({ peers: 0 });
  const site = base.sites[0];
  site.firewall.interfaces = site.firewall.interfaces.map((i) => (i.name === 'service' ? { ...i, address: '10.1.0.1/16' } : i));
  const wg = site.wireguard[0];
  wg.roles = [
    { name: 'admin', from: '10.200.0.2', to: '10.200.0.255' },
    { name: 'family', from: '10.200.1.0', to: '10.200.127.255' },
    { name: 'remote', from: '10.200.128.0', to: '10.200.255.254' },
  ];
  const tunnelBase = (10 << 24) | (200 << 16);
  wg.peers = Array.from({ length: peers }, (_, i) => {
    const role = i < 200 ? 'admin' : i % 10 === 0 ? 'remote' : 'family';
    const offset = role === 'admin' ? 2 + i : role === 'family' ? 256 + i : 32768 + i;
    return { name: `peer-${i}`, role, address: ip(tunnelBase + offset), public_key: key(`p${i}`) };
  });
  site.services = Array.from({ length: services }, (_, i) => ({ name: `svc-${i}`, network: 'service', address: ip(((10 << 24) | (1 << 16)) + 256 + i), port: 1024 + (i % 4000) }));
  site.policy = {
    zones: [
      { name: 'management', members: ['management'] },
      { name: 'service', members: ['service'] },
      { name: 'admins', members: ['wg0/admin', '10.0.0.0/28'] },
      { name: 'family', members: ['wg0/family', 'wg0/remote'] },
    ],
    rules: Array.from({ length: rules }, (_, r) => {
      const name = `rule-${r}`;
      switch (r % 4) {
        case 0:
          return { name, from: `peer-${r % peers}`, to: `svc-${r % services}`, action: 'pass' };
        case 1:
          return { name, from: 'wg0/family', to: `svc-${r % services}`, proto: 'tcp', ports: [1000 + (r % 5000), `${2000 + (r % 100)}-${2100 + (r % 100)}`], action: 'pass' };
        case 2:
          return { name, from: 'admins', to: `10.1.${r % 256}.0/28`, proto: 'udp', ports: [53], action: r % 3 ? 'pass' : 'block' };
        default:
          return { name, from: `peer-${(r * 7) % peers}`, to: 'management', proto: 'tcp', ports: [22], action: 'block' };
      }
    }),
  };
  return base;
}

/** A VPC with `subnets` subnets across two AZs and `rules` security-group rules. */
export function vpcTopology({ subnets = 100, rules = 2000 } = {}) {
  const groups = 20;
  return {
    version: 1,
    name: 'bench-vpc',
    aws: {
      region: 'ap-northeast-2',
      vpc: {
        name: 'main',
        // AWS takes a VPC of /16 at most: 4,096 subnets of /28 fit in it.
        cidr: '10.0.0.0/16',
        subnets: Array.from({ length: subnets }, (_, i) => ({
          name: `subnet-${i}`,
          az: i % 2 ? 'ap-northeast-2c' : 'ap-northeast-2a',
          cidr: `10.0.${i >> 4}.${(i & 15) << 4}/28`,
          tier: i % 4 === 0 ? 'public' : 'private',
        })),
        security_groups: Array.from({ length: groups }, (_, g) => ({
          name: `group-${g}`,
          ingress: Array.from({ length: Math.ceil(rules / groups) }, (_, r) =>
            r % 2 ? { proto: 'tcp', ports: [1024 + r], from_group: `group-${(g + 1) % groups}` } : { proto: 'tcp', ports: [1024 + r], from: `10.${g}.${r % 256}.0/24` },
          ),
        })),
      },
    },
  };
}

export function toYaml(topology) {
  return stringify(topology, { lineWidth: 0 });
}
