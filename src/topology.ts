// The topology file as the schema admits it (schema/topology.schema.json).
// Only resolve reads these types; targets read the resolved model.
export type PortOrRange = number | string;

export interface Topology {
  version: 1;
  name: string;
  description?: string;
  sites?: SiteInput[];
  aws?: AwsInput;
}

export interface SiteInput {
  name: string;
  description?: string;
  proxmox?: {
    hosts?: HostInput[];
    api_tokens?: ApiTokenInput[];
    roles?: { name: string; privileges: string[]; description?: string }[];
  };
  firewall?: FirewallInput;
  wireguard?: WireguardInput[];
  services?: ServiceInput[];
  policy?: PolicyInput;
  haproxy?: HaproxyInput;
  backup?: { pbs?: PbsInput };
  remote_networks?: { name: string; cidr: string; description?: string }[];
}

export interface ApiTokenInput {
  user: string;
  token: string;
  role?: string;
  path?: string;
  intent?: 'vm-provisioning' | 'backup' | 'monitoring';
  pool?: string;
  templates?: string;
  storage?: string[];
  networks?: string[];
  privilege_separation?: boolean;
  description?: string;
}

/** How gen sets up a VM or container: what it sets on every run, and what it needs to create one. */
export interface GuestInput {
  cores?: number;
  memory_mb?: number;
  disk_gb?: number;
  storage?: string;
  onboot?: boolean;
  create?: boolean;
  iso?: string;
}

export interface VmInput extends GuestInput {
  id?: number;
  host?: string;
  mac?: string;
}

export interface HostInput {
  name: string;
  description?: string;
  ports?: string[];
  bridges?: BridgeInput[];
  nics?: HostNicInput[];
  bonds?: HostBondInput[];
}

export type BondMode = 'balance-rr' | 'active-backup' | 'balance-xor' | 'broadcast' | '802.3ad' | 'balance-tlb' | 'balance-alb';

export interface HostBondInput {
  name: string;
  description?: string;
  slaves: string[];
  mode: BondMode;
  xmit_hash_policy?: 'layer2' | 'layer2+3' | 'layer3+4';
  primary?: string;
  address?: string;
  mtu?: number;
}

export interface HostNicInput {
  name: string;
  description?: string;
  address: string;
  mtu?: number;
}

export interface BridgeInput {
  name: string;
  description?: string;
  ports?: string[];
  vlan_aware?: boolean;
  vids?: PortOrRange[];
  address?: string;
  gateway?: string;
  mtu?: number;
}

export interface FirewallInput {
  name?: string;
  description?: string;
  release?: string;
  dhcp_server?: 'dnsmasq' | 'isc';
  public_address?: string;
  vm?: Omit<VmInput, 'mac'> & { nics?: { bridge: string; mac?: string; tag?: number }[] };
  interfaces: FirewallInterfaceInput[];
  groups?: { name: string; members: string[]; description?: string }[];
  routes?: { network: string; via: string; description?: string }[];
  nat?: { outbound?: 'automatic' | 'hybrid' | 'manual' | 'disabled'; port_forwards?: PortForwardInput[] };
  anti_lockout?: { enabled?: boolean; ports?: number[] };
  upstream?: {
    description?: string;
    port_forwards?: { proto: 'tcp' | 'udp' | 'tcp/udp'; port: number; external_port?: number; description?: string }[];
  };
}

export interface PortForwardInput {
  name: string;
  interface?: string;
  proto: 'tcp' | 'udp' | 'tcp/udp';
  port: PortOrRange;
  service?: string;
  address?: string;
  target_port?: number;
  /** The only sources the forward is open to (policy names). */
  from?: string[];
  reflection?: boolean;
  description?: string;
}

export interface FirewallInterfaceInput {
  name: string;
  assign?: string;
  description?: string;
  device?: string;
  bridge?: string;
  vlan?: { parent: string; tag: number; pcp?: number };
  wireguard?: string;
  address?: string;
  gateway?: string;
  mtu?: number;
  block_private?: boolean;
  block_bogons?: boolean;
  dhcp?: {
    from?: string;
    to?: string;
    dns?: string[];
    lease_seconds?: number;
    static?: { name: string; mac: string; address: string; description?: string }[];
  };
}

export interface WireguardInput {
  name: string;
  description?: string;
  listen_port?: number;
  address: string;
  mtu?: number;
  public_key?: string;
  endpoint?: string;
  endpoint_port?: number;
  lan_endpoint?: string | true;
  keepalive?: number;
  preshared_key?: boolean;
  key_rotation_days?: number;
  idle_peer_days?: number;
  tunnel?: 'split' | 'full';
  dns?: string[];
  reach?: string[];
  roles?: { name: string; from: string; to: string; description?: string }[];
  peers?: PeerInput[];
}

export interface PeerInput {
  name: string;
  tunnel_name?: string;
  role: string;
  address: string;
  public_key?: string;
  enabled?: boolean;
  keepalive?: number;
  preshared_key?: boolean;
  key_date?: string;
  description?: string;
}

export interface ServiceInput {
  name: string;
  description?: string;
  network?: string;
  address: string;
  port?: number;
  proto?: 'tcp' | 'udp';
  container?: number;
  vm?: number;
  host?: string;
  guest?: GuestInput & { template?: string; mac?: string; gateway?: string; dns?: string[] };
}

export interface FlowTestInput {
  name?: string;
  from: string;
  to: string;
  proto: 'tcp' | 'udp' | 'icmp' | 'any';
  port?: number;
  expect: 'accept' | 'deny';
  description?: string;
}

export interface PolicyInput {
  default?: 'deny';
  tests?: FlowTestInput[];
  zones?: { name: string; members?: string[]; networks?: string[]; description?: string }[];
  rules?: PolicyRuleInput[];
}

export interface PolicyRuleInput {
  name: string;
  from: string;
  to: string;
  proto?: 'any' | 'tcp' | 'udp' | 'tcp/udp' | 'icmp';
  ports?: PortOrRange[];
  action: 'pass' | 'block' | 'reject';
  log?: boolean;
  description?: string;
}

export interface HaproxyInput {
  certificates?: {
    name: string;
    domain?: string;
    alt_names?: string[];
    per_host?: boolean;
    challenge?: 'dns-01' | 'http-01';
    dns_provider?: string;
    description?: string;
  }[];
  frontends?: {
    name: string;
    bind: string;
    interface?: string;
    certificate?: string;
    passthrough?: boolean;
    http_redirect?: boolean;
    split_dns?: boolean;
    /** The only sources the frontend's WAN pass is open to (policy names). */
    from?: string[];
    default_backend?: string;
    hosts?: { name: string; backend: string; description?: string }[];
    description?: string;
  }[];
  backends?: {
    name: string;
    algorithm?: 'roundrobin' | 'leastconn' | 'source' | 'static-rr' | 'uri';
    sticky?: 'none' | 'source' | 'cookie';
    health_check?: boolean;
    check?: string;
    tls?: boolean;
    verify?: 'none' | 'ca';
    ca?: string;
    sni?: string;
    description?: string;
    servers: { service?: string; name?: string; address?: string; port?: number }[];
  }[];
}

export interface KeepInput {
  keep_last?: number;
  keep_hourly?: number;
  keep_daily?: number;
  keep_weekly?: number;
  keep_monthly?: number;
  keep_yearly?: number;
}

export interface PbsInput {
  address?: string;
  datastore: string;
  s3_remote?: string;
  bucket: string;
  iam_user?: string;
  pve_storage?: string;
  pve_user?: string;
  pve_token?: string;
  vm?: VmInput;
  cache?: { disk_gb?: number; max_size_gb?: number };
  fingerprint?: string;
  gc_schedule?: string;
  prune?: KeepInput & { schedule?: string };
  pve_prune_backups?: KeepInput;
  pve_jobs?: PveBackupJobInput[];
}

/** A guest by its Proxmox id or by the name of a guest gen knows. */
export type GuestRefInput = number | string;

export interface PveBackupJobInput {
  id: string;
  schedule?: string;
  mode?: 'snapshot' | 'suspend' | 'stop';
  guests?: 'all' | { pool: string } | GuestRefInput[];
  exclude?: GuestRefInput[];
  notes_template?: string;
  enabled?: boolean;
  repeat_missed?: boolean;
  comment?: string;
}

export interface AwsInput {
  region: string;
  buckets?: { name: string; description?: string; noncurrent_days?: number; keep_noncurrent_forever?: string; retired?: boolean }[];
  iam?: {
    users?: {
      name: string;
      policy?: string;
      access_key?: boolean | { pgp_key: string };
      description?: string;
      intents: { intent: 'backup-writer' | 'reader' | 'writer'; bucket: string; prefix?: string }[];
    }[];
  };
  terraform?: { backend?: { bucket: string; key: string; region?: string; use_lockfile?: boolean } };
  vpc?: VpcInput;
}

export interface VpcInput {
  name: string;
  cidr: string;
  description?: string;
  subnets?: { name: string; az: string; cidr: string; tier: string; public_ip_on_launch?: boolean; description?: string }[];
  nat_gateway?: boolean;
  route_tables?: { tier: string; egress?: 'nat-gateway' | 'none'; routes?: { destination: string; target: 'internet-gateway' | 'nat-gateway' | 'vpn-gateway' }[] }[];
  security_groups?: { name: string; description?: string; ingress?: SgRuleInput[]; egress?: SgRuleInput[] }[];
  site_to_site?: { site: string; customer_gateway_ip?: string; bgp_asn?: number };
  tests?: FlowTestInput[];
}

export interface SgRuleInput {
  proto: 'tcp' | 'udp' | 'icmp' | 'all';
  ports?: PortOrRange[];
  from?: string;
  from_group?: string;
  to?: string;
  to_group?: string;
  public?: string;
  description?: string;
}
