// Rules whose findings come from the load, schema and resolve stages.
import type { Rule } from './rule.js';

export const reportedRules: Rule[] = [
  {
    id: 'load/read',
    severity: 'error',
    summary: 'The topology file cannot be read.',
    why: 'Nothing can be checked or built without the file.',
    hint: 'Pass the path of a topology file, or run gen where topology.yaml is. A file that is not UTF-8 is named at its first bad byte: save it as UTF-8.',
    noExample: 'The finding is about the file itself (missing, unreadable, a directory, not UTF-8), not about what it says.',
  },
  {
    id: 'load/yaml-syntax',
    severity: 'error',
    summary: 'The file is not valid YAML.',
    why: 'A syntax error makes the rest of the file meaningless to every tool.',
    hint: 'Fix the YAML at the reported position (indentation, quoting, a missing ":" or "-"). A quoted value that goes on to more lines needs each of them indented more than its key. A topology file is one YAML document: a second one (after a "---" or "..." line) is reported where it starts.',
    examples: [
      {
        where: 'sites[].haproxy.certificates[]',
        text: true,
        bad: '{ name: wildcard, domain: *.example.com, challenge: dns-01, dns_provider: cloudflare }',
        good: '{ name: wildcard, domain: "*.example.com", challenge: dns-01, dns_provider: cloudflare }',
      },
      {
        // YAML 1.2 ends a quoted value at a line indented no more than its key; js-yaml alone would read on.
        where: 'sites[].proxmox.hosts[].bridges[]',
        text: true,
        bad: 'name: vmbr0\ndescription: "External, toward\nthe NAT router"\nports: [eno1]\naddress: 192.168.0.10/24',
        good: 'name: vmbr0\ndescription: "External, toward\n  the NAT router"\nports: [eno1]\naddress: 192.168.0.10/24',
      },
    ],
  },
  {
    id: 'load/duplicate-key',
    severity: 'error',
    summary: 'A key appears twice in one mapping.',
    why: 'YAML tools silently keep one of the two values; which one differs between tools.',
    hint: 'Remove or merge the repeated key.',
    examples: [
      {
        where: 'sites[].wireguard[].peers[laptop-john]',
        text: true,
        bad: 'name: laptop-john\nrole: workstation\naddress: 10.0.1.3\npublic_key: Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U=\naddress: 10.0.1.4',
        good: 'name: laptop-john\nrole: workstation\naddress: 10.0.1.4\npublic_key: Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U=',
      },
    ],
  },
  {
    id: 'load/not-a-mapping',
    severity: 'error',
    summary: 'The document is not a mapping.',
    why: 'A topology is a mapping with version, name, sites and aws.',
    hint: 'Start from `gen init` or the README example.',
    examples: [
      {
        where: '',
        text: true,
        bad: '- name: home\n  description: Homelab behind a NAT router',
        good: 'version: 1\nname: homelab\nsites:\n  - name: home\n    description: Homelab behind a NAT router',
      },
    ],
  },
  {
    id: 'load/limit',
    severity: 'error',
    summary: 'The file is larger, nested deeper or has a longer value than any topology needs.',
    why: 'Limits checked before the expensive stages keep a wrong or hostile file (a device, megabytes in one value, thousands of nested brackets) from exhausting memory or the stack.',
    hint: 'Check that this is the right file; GEN_MAX_INPUT_BYTES raises the size limit (16 MiB).',
    noExample: 'A value of more than 4096 characters or 64 levels of brackets is no snippet to read.',
  },
  {
    id: 'load/character',
    severity: 'error',
    summary: 'A value or key holds a character no generated file can hold: half of a surrogate pair without its other half, a control character other than tab and line ends, or U+FFFE/U+FFFF.',
    why: 'These come only from YAML escapes ("\\udc00", "\\a"). A lone surrogate has no UTF-8 form: every file but plan.json would get U+FFFD in its place (Proxmox a comment, AWS a tag the topology never says), and `gen build --check` would call the tree stale right after a build. XML cannot hold any of them at all, and the other targets are text.',
    hint: 'Remove the escape; for a character outside the Basic Multilingual Plane write the character itself, one eight-digit escape ("\\U0001F600") or both halves of its pair ("\\uD83D\\uDE00").',
    examples: [
      {
        where: 'sites[].policy.rules[vpn-to-management]',
        bad: 'name: vpn-to-management\ndescription: "VPN clients \\uD83D manage the hosts"',
        good: 'name: vpn-to-management\ndescription: "VPN clients \\uD83D\\uDE00 manage the hosts"',
      },
    ],
  },
  {
    id: 'schema',
    severity: 'error',
    summary: 'A value does not match schema/topology.schema.json.',
    why: 'The schema is the contract of the format: unknown keys are typos, wrong types are mistakes.',
    hint: 'Follow the message; editors with the YAML language server show the schema inline.',
    examples: [{ where: 'sites[].wireguard[]', bad: 'keep_alive: 25', good: 'keepalive: 25' }],
  },
  {
    id: 'ref/unknown',
    severity: 'error',
    summary: 'A reference names something that does not exist (a role, zone, bridge, service, security group, bucket...).',
    why: 'A dangling reference is a peer without a role, a rule without a zone: configuration that silently does nothing.',
    hint: 'Use one of the names listed in the message, or declare the missing item.',
    examples: [
      {
        where: 'sites[].haproxy',
        bad: 'frontends:\n  - { name: https, bind: 0.0.0.0:443, interface: wan, certificate: wildcard, http_redirect: true, default_backend: webs }\nbackends:\n  - { name: web, servers: [{ service: traefik }] }',
        good: 'frontends:\n  - { name: https, bind: 0.0.0.0:443, interface: wan, certificate: wildcard, http_redirect: true, default_backend: web }\nbackends:\n  - { name: web, servers: [{ service: traefik }] }',
      },
    ],
  },
  {
    id: 'ip/invalid',
    severity: 'error',
    summary: 'An address or network is not valid IPv4, or a CIDR has host bits set.',
    why: '10.30.1.5/24 written as a network means 10.30.1.0/24 to one tool and an error to another.',
    hint: 'Write addresses as a.b.c.d, networks as their first address with the prefix (10.30.1.0/24).',
    examples: [{ topology: 'aws-vpc', where: 'aws.vpc.subnets[private-2a]', bad: '{ name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.7/24, tier: private }', good: '{ name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }' }],
  },
  {
    id: 'ip/prefix-mismatch',
    severity: 'error',
    summary: "A host address's prefix differs from its network's prefix.",
    why: 'A wrong prefix gives the host a different idea of what is on-link than its gateway has.',
    hint: 'Use the prefix length of the network the address is in.',
    examples: [{ where: 'sites[].proxmox.hosts[].bridges[vmbr1]', bad: 'name: vmbr1\naddress: 10.0.0.254/16', good: 'name: vmbr1\naddress: 10.0.0.254/24' }],
  },
  {
    id: 'firewall/release',
    severity: 'error',
    summary: 'The firewall targets an OPNsense release gen does not know.',
    why: 'Each release stores some sections in its own model versions and forms (MVC filter rules from 26.7, HAProxy 5.0.0 actions from 26.1.2, …); gen writes only what it knows a release accepts.',
    hint: 'Use one of the releases the message lists: a series such as "26.7" means its newest point release, "26.1.6" that point release.',
    examples: [{ where: 'sites[].firewall', bad: 'release: "26.4"', good: 'release: "26.7"' }],
  },
  {
    id: 'firewall/interface-kind',
    severity: 'error',
    summary: 'A firewall interface has none or more than one of device, vlan, wireguard.',
    why: 'The interface must be exactly one thing for OPNsense to assign it.',
    hint: 'Keep exactly one of device, vlan or wireguard.',
    examples: [{ where: 'sites[].firewall.interfaces[+]', bad: '{ name: dmz, assign: opt3, address: 10.2.0.1/24 }', good: '{ name: dmz, assign: opt3, device: vtnet3, bridge: vmbr2, address: 10.2.0.1/24 }' }],
  },
  {
    id: 'wg/interface-address',
    severity: 'error',
    summary: 'An interface that assigns a WireGuard instance has an address.',
    why: 'OPNsense refuses an IP configuration on a tunnel interface; the tunnel address belongs to the instance.',
    hint: 'Remove the address from the interface; set it on the WireGuard instance.',
    examples: [{ where: 'sites[].firewall.interfaces[wireguard]', bad: 'name: wireguard\nwireguard: wg0\naddress: dhcp', good: 'name: wireguard\nwireguard: wg0' }],
  },
  {
    id: 'wg/role-range',
    severity: 'error',
    summary: 'A WireGuard role range ends before it starts.',
    why: 'An empty range can never hold a peer.',
    hint: 'Swap from and to.',
    examples: [{ where: 'sites[].wireguard[].roles[server]', bad: '{ name: server, from: 10.0.1.100, to: 10.0.1.51 }', good: '{ name: server, from: 10.0.1.51, to: 10.0.1.100 }' }],
  },
  {
    id: 'dhcp/no-network',
    severity: 'error',
    summary: 'A DHCP server is set on an interface with no static address.',
    why: 'The DHCP range and gateway are derived from the interface network.',
    hint: 'Give the interface a static address with prefix, or remove dhcp.',
    examples: [{ topology: 'vlan-hosting', where: 'sites[].firewall.interfaces[wan]', bad: 'name: wan\naddress: dhcp\ndhcp: {}', good: 'name: wan\naddress: dhcp' }],
  },
  {
    id: 'haproxy/server-port',
    severity: 'error',
    summary: 'An HAProxy server has no address or port.',
    why: 'A server without a port cannot be written into the backend pool.',
    hint: 'Give the service a port, or the server a name, address and port.',
    examples: [{ where: 'sites[].haproxy.backends[web]', bad: 'servers:\n  - { name: nas, address: 10.1.0.50 }', good: 'servers:\n  - { name: nas, address: 10.1.0.50, port: 8080 }' }],
  },
  {
    id: 'aws/az-region',
    severity: 'error',
    summary: "A subnet's availability zone is not in the VPC's region.",
    why: 'Terraform fails at apply time with an invalid AZ.',
    hint: 'Use an AZ of the region, e.g. ap-northeast-2a for ap-northeast-2.',
    examples: [{ topology: 'aws-vpc', where: 'aws.vpc.subnets[public-2c]', bad: '{ name: public-2c, az: ap-northeast-1c }', good: '{ name: public-2c, az: ap-northeast-2c }' }],
  },
  {
    id: 'aws/nat-without-public',
    severity: 'error',
    summary: 'A NAT gateway is asked for but the VPC has no public subnet.',
    why: 'A NAT gateway must live in a public subnet to reach the internet.',
    hint: 'Add a subnet with tier public, or set nat_gateway: false.',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc',
        bad: 'nat_gateway: true\nsubnets:\n  - { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }\n  - { name: private-2c, az: ap-northeast-2c, cidr: 10.30.102.0/24, tier: private }',
        good: 'nat_gateway: true\nsubnets:\n  - { name: public-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: public }\n  - { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }\n  - { name: private-2c, az: ap-northeast-2c, cidr: 10.30.102.0/24, tier: private }',
      },
    ],
  },
  {
    id: 'aws/sg-rule-peer',
    severity: 'error',
    summary: 'A security group rule needs exactly one source (ingress) or destination (egress).',
    why: 'AWS rules take one CIDR or one referenced group, not both and not none.',
    hint: 'Ingress: from or from_group. Egress: to or to_group.',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc.security_groups[db]',
        bad: 'ingress:\n  - { proto: tcp, ports: [5432], from_group: api, from: 198.51.100.7/32 }',
        good: 'ingress:\n  - { proto: tcp, ports: [5432], from_group: api }',
      },
    ],
  },
  {
    id: 'aws/customer-gateway',
    severity: 'error',
    summary: 'A site-to-site VPN has no customer gateway address.',
    why: 'AWS needs the public address of the on-prem firewall.',
    hint: "Set customer_gateway_ip, or the site's firewall.public_address.",
    examples: [
      {
        where: 'aws',
        bad: 'vpc:\n  name: main\n  cidr: 10.30.0.0/16\n  subnets:\n    - { name: private-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: private }\n    - { name: private-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: private }\n  site_to_site: { site: home }',
        good: 'vpc:\n  name: main\n  cidr: 10.30.0.0/16\n  subnets:\n    - { name: private-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: private }\n    - { name: private-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: private }\n  site_to_site: { site: home, customer_gateway_ip: 121.134.20.7 }',
      },
    ],
  },
  {
    id: 'policy/reserved-zone-name',
    severity: 'error',
    summary: 'A zone is named any, internet or self.',
    why: 'These names are built-in rule targets; a zone of the same name would be ambiguous.',
    hint: 'Rename the zone.',
    examples: [{ where: 'sites[].policy.zones[+]', bad: '{ name: self, networks: [management] }', good: '{ name: admin, networks: [management] }' }],
  },
  {
    id: 'policy/ambiguous-object',
    severity: 'error',
    summary: 'A name in the policy names two different objects (say a service and a WireGuard peer).',
    why: 'A zone, rule or test must mean exactly one set of addresses; gen never guesses which one was meant.',
    hint: 'Rename one of the two objects (zones may share a name with their network: the zone wins).',
    examples: [
      {
        topology: 'homelab-family',
        where: 'sites[].wireguard[].peers[+]',
        bad: '{ name: backup, role: remote-site, address: 10.10.99.51, public_key: MdbMJnxJjrVkX/5XGDPG4/V5Sr/Ox9o1Sd4Z+HUSqec= }',
        good: '{ name: aunt-nas, role: remote-site, address: 10.10.99.51, public_key: MdbMJnxJjrVkX/5XGDPG4/V5Sr/Ox9o1Sd4Z+HUSqec= }',
      },
    ],
  },
  {
    id: 'policy/forward-source',
    severity: 'error',
    summary: "A port forward is opened (from:) to a source whose addresses never arrive on the forward's interface.",
    why: "OPNsense matches a forward's source where the packet enters, in its redirect and its pass rule: an internal network, or a remote network behind a tunnel, never enters on the WAN, so the forward would be open to nobody from there, and a client inside reaches the target through its own interface's rules anyway.",
    hint: "Name the source's address as it arrives on the interface (the office's or partner's public address or range), and pass traffic from inside with a policy rule to the forward's target.",
    examples: [
      {
        where: 'sites[].firewall.nat',
        bad: 'port_forwards:\n  - { name: ssh-office, proto: tcp, port: 2222, address: 10.1.0.120, target_port: 22, from: [198.51.100.7, vpn] }',
        good: 'port_forwards:\n  - { name: ssh-office, proto: tcp, port: 2222, address: 10.1.0.120, target_port: 22, from: [198.51.100.7] }',
      },
    ],
  },
  {
    id: 'suppress/missing-reason',
    severity: 'warning',
    summary: 'A `# gen-ignore RULE` comment gives no reason.',
    why: 'A silenced check without a reason cannot be reviewed; it silences nothing until it has one.',
    hint: 'Write the reason after a colon: `# gen-ignore RULE: why this is fine`.',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc.subnets',
        text: true,
        bad: '- { name: public-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: public }\n- { name: public-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: public }\n# gen-ignore aws/tier-single-az\n- { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }',
        good: '- { name: public-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: public }\n- { name: public-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: public }\n# gen-ignore aws/tier-single-az: staging keeps its database in one AZ\n- { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }',
      },
    ],
  },
  {
    id: 'suppress/unknown-rule',
    severity: 'warning',
    summary: 'A `# gen-ignore` comment names no rule, or one that cannot be silenced.',
    why: 'A misspelt rule id silences nothing; load, schema and reference errors cannot be silenced because gen could not model the file.',
    hint: 'Use a rule id from docs/rules.md.',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc.subnets',
        text: true,
        bad: '- { name: public-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: public }\n- { name: public-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: public }\n# gen-ignore aws/single-az: staging keeps its database in one AZ\n- { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }',
        good: '- { name: public-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: public }\n- { name: public-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: public }\n# gen-ignore aws/tier-single-az: staging keeps its database in one AZ\n- { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }',
      },
    ],
  },
  {
    id: 'suppress/malformed',
    severity: 'warning',
    summary: 'A comment that begins with `# gen-ignore` is not in the form gen reads.',
    why: 'gen reads only `# gen-ignore RULE: reason`; any other form (a colon before the rule id, a reason without its colon) silences nothing, and the finding it was meant for stays without saying why.',
    hint: 'Write it as `# gen-ignore RULE: reason`.',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc.subnets',
        text: true,
        bad: '- { name: public-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: public }\n- { name: public-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: public }\n# gen-ignore: aws/tier-single-az staging keeps its database in one AZ\n- { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }',
        good: '- { name: public-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: public }\n- { name: public-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: public }\n# gen-ignore aws/tier-single-az: staging keeps its database in one AZ\n- { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }',
      },
    ],
  },
  {
    id: 'suppress/unused',
    severity: 'warning',
    summary: 'A `# gen-ignore` comment silences nothing.',
    why: 'A stale suppression would silently hide a future, different problem on the same node.',
    hint: 'Remove the comment, or move it onto the line before the node it is meant for.',
    examples: [
      {
        topology: 'aws-vpc',
        where: 'aws.vpc.subnets',
        text: true,
        bad: '- { name: public-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: public }\n- { name: public-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: public }\n# gen-ignore aws/tier-single-az: staging keeps its database in one AZ\n- { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }\n- { name: private-2c, az: ap-northeast-2c, cidr: 10.30.102.0/24, tier: private }',
        good: '- { name: public-2a, az: ap-northeast-2a, cidr: 10.30.1.0/24, tier: public }\n- { name: public-2c, az: ap-northeast-2c, cidr: 10.30.2.0/24, tier: public }\n- { name: private-2a, az: ap-northeast-2a, cidr: 10.30.101.0/24, tier: private }\n- { name: private-2c, az: ap-northeast-2c, cidr: 10.30.102.0/24, tier: private }',
      },
    ],
  },
  {
    id: 'secrets/tracked',
    severity: 'error',
    summary: 'git tracks a file of the secrets directory (gen lint, in a git work tree).',
    why: 'A tracked private key is committed and pushed with the next commit; anyone with the repository can then decrypt the VPN.',
    hint: 'git rm -r --cached .secrets, keep a .gitignore of * in .secrets/, and rotate every key that was pushed.',
    noExample: 'The finding is about the secrets directory beside the topology, not about what the topology says.',
  },
  {
    id: 'secrets/key-mismatch',
    severity: 'error',
    summary: 'A private key in the secrets directory does not belong to the public_key the topology names (gen lint).',
    why:
      'The firewall and the client then hold keys of two different pairs: the handshake fails, and gen wg export refuses the peer. ' +
      'It happens when the topology or the secrets directory was restored, copied or edited without the other.',
    hint:
      'If the public_key is right, put back its private key (or make a new pair: gen wg rotate NAME, gen wg keygen --instance NAME --force); ' +
      'if the stored key is right, set public_key to what `gen wg pubkey < KEYFILE` prints.',
    noExample: 'The finding is about the secrets directory beside the topology, not about what the topology says.',
  },
  {
    id: 'secrets/private-key-in-topology',
    severity: 'error',
    summary: 'A public_key in the topology is one of the private keys in the secrets directory (gen lint).',
    why:
      'Every 32-byte base64 value looks like a public key, so a private key pasted in its place passes every other check; ' +
      'from the topology it goes into out/ (committed), the firewall configuration and the verify scripts, and whoever reads one of them holds the private key. ' +
      'The peer cannot connect either: its public key is not the one the firewall expects.',
    hint:
      'Set public_key to the public key (`gen wg pubkey < KEYFILE` prints it for a stored key; a device shows its own), ' +
      'then make a new pair for the published key (gen wg rotate NAME, gen wg keygen --instance NAME --force).',
    noExample: 'The finding is about the secrets directory beside the topology, not about what the topology says.',
  },
  {
    id: 'secrets/orphaned-key',
    severity: 'warning',
    summary: 'A private or pre-shared key in the secrets directory belongs to no peer or instance of the topology, or a pre-shared key to a peer without preshared_key (gen lint).',
    why:
      'It stays when a peer or an instance is removed from the topology or renamed by hand (gen writes keys and removes none), and a pre-shared key stays when preshared_key is removed from its peer: a key that no configuration uses any more, kept beside the live ones and in every copy of the secrets directory. ' +
      'gen wg add-peer and gen wg psk of that name later refuse to replace it.',
    hint:
      'Delete the key file of a peer or instance that is gone (rm FILE), rename it with a renamed one, or put it back with the public key `gen wg pubkey < FILE` prints; ' +
      'for the pre-shared key of a peer that is still there, set preshared_key: true on it again, or delete the file.',
    noExample: 'The finding is about the secrets directory beside the topology, not about what the topology says.',
  },
  {
    id: 'secrets/psk-missing',
    severity: 'warning',
    summary: 'A peer has preshared_key, and the secrets directory has no pre-shared key for it (gen lint).',
    why:
      'The key is never in the topology: out/ holds a placeholder that gen opnsense merge and gen wg export fill from the secrets directory, and both refuse the peer without it. ' +
      'It happens when preshared_key is set by hand, or the secrets directory was restored or copied without it.',
    hint: 'Make it with gen wg psk NAME, then deploy and export the client file again; or put back the .psk file of the peer.',
    noExample: 'The finding is about the secrets directory beside the topology, not about what the topology says.',
  },
  {
    id: 'secrets/psk-invalid',
    severity: 'error',
    summary: "A peer's pre-shared key file holds no WireGuard key (gen lint).",
    why:
      "wg(8) reads PresharedKey as 32 bytes in base64, 44 characters (wireguard-tools key_from_base64), and refuses the whole file otherwise; OPNsense's psk field takes any base64, so the firewall would keep the key and fail to load the instance. " +
      'gen opnsense merge and gen wg export refuse it.',
    hint: 'Make a new one with gen wg psk NAME --force, then deploy and export the client file again.',
    noExample: 'The finding is about the secrets directory beside the topology, not about what the topology says.',
  },
  {
    id: 'secrets/unsafe',
    severity: 'error',
    summary: 'The secrets directory or a key file in it is one gen refuses to read (gen lint).',
    why: 'A key that other users can read or replace is no longer private, so gen reads no key from there (as ssh refuses such a key).',
    hint: 'Run the chmod (or chown) the message names; gen never changes modes itself.',
    noExample: 'The finding is about the secrets directory beside the topology, not about what the topology says.',
  },
];
