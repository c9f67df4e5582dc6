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
  for (let r = 0; r < rules; r++) {
    zoneRules.push({ name: `generated-${r}`, from: 'management', to: 'service', proto: 'tcp', ports: [1 + (r % 65535)], action: r % 7 === 0 ? 'block' : 'pass' });
  }
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
        firewall: { name: 'opnsense', release: '25.7', vm: { id: 102, host: 'pve' }, interfaces },
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
        cidr: '10.0.0.0/8',
        subnets: Array.from({ length: subnets }, (_, i) => ({
          name: `subnet-${i}`,
          az: i % 2 ? 'ap-northeast-2c' : 'ap-northeast-2a',
          cidr: `10.${i >> 8}.${i & 255}.0/24`,
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
