// The resolved model: one typed description of the whole infrastructure
// with defaults applied and every derived fact computed once. Targets and
// rules read only this. Each entity keeps the path of the YAML node it came
// from, so any finding about it can be located.
import type { Range } from './intervals.js';
import type { Path } from './location.js';
import type { Block } from './net.js';
import type { BondMode } from './topology.js';

export interface Model {
  name: string;
  description?: string;
  sites: Site[];
  aws?: Aws;
  /** Every network in the topology, on-prem and cloud. */
  networks: Network[];
  /** Every host address in the topology (for duplicate and reserved checks). */
  addresses: AddressUse[];
  /** Every named thing, by kind (for duplicate-name checks). */
  names: NamedThing[];
  /**
   * Where the topology was written: generated files that check a live
   * system cite the line of what they expect. Not enumerable, so the model
   * serialises and compares without it.
   */
  readonly source?: SourceLines;
}

/**
 * How generated files name the topology: gen's default file name, whatever
 * the file is called and however it reached gen (a path, standard input),
 * so that the same topology gives the same bytes. Its lines are the file's.
 */
export const TOPOLOGY_IN_OUTPUT = 'topology.yaml';

export interface SourceLines {
  /** The topology's name in generated files: TOPOLOGY_IN_OUTPUT. */
  file: string;
  /** The 1-based line where the entity at `path` is written. */
  lineOf(path: Path): number;
}

export type NetworkKind = 'wan' | 'internal' | 'vpn' | 'remote' | 'vpc' | 'subnet';

export interface Network {
  /** Unique id: "<site>/<name>" on-prem, "aws/<name>" in the cloud. */
  id: string;
  name: string;
  site?: string;
  kind: NetworkKind;
  block: Block;
  cidr: string;
  /** The firewall's own address on this network, if it has one. */
  firewallAddress?: string;
  /** The address hosts on this network use as their gateway. */
  gateway?: string;
  /** The containing network that is meant to contain it (a subnet's VPC). */
  parent?: string;
  path: Path;
}

export interface AddressUse {
  address: number;
  text: string;
  /** Human name of the user of the address, e.g. "service traefik". */
  owner: string;
  /** Network id the address belongs to, when known. */
  network?: string;
  /** True for the address of the firewall or gateway itself (not a host using it). */
  isGateway: boolean;
  path: Path;
}

export interface NamedThing {
  kind: string;
  /** The scope names must be unique in, e.g. "site home". */
  scope: string;
  name: string;
  /** The node of the thing; its name is at path + field (the copy made only to report it: there are 300,000 of them at scale). */
  path: Path;
  /** The key of the name in that node, when it is not "name". */
  field?: string;
  /**
   * The site a scope named after one of its things belongs to (host pve,
   * instance wg0, frontend https, firewall opnsense): two sites may each
   * have one of that name, and their names do not meet.
   */
  site?: string;
}

export interface Site {
  name: string;
  description?: string;
  path: Path;
  firewall?: Firewall;
  hosts: Host[];
  /** The VMs and containers gen knows: the firewall's VM, the services' guests, the backup server's VM. */
  guests: Guest[];
  apiTokens: ApiToken[];
  /** Roles gen defines: the topology's custom roles and those its tokens' intents need. */
  roles: ProxmoxRole[];
  /** Pools gen creates (the VMs of a vm-provisioning token live in one). */
  pools: string[];
  networks: Network[];
  /** Networks behind the firewall (everything but WAN). */
  internalNetworks: string[];
  wireguard: WireguardInstance[];
  services: Service[];
  policy: Policy;
  haproxy: Haproxy;
  backup?: PbsBackup;
  /** The NAT router in front of the firewall, when there is one: the port forwards it needs. */
  upstream?: Upstream;
  /** Steps on devices gen does not manage, for the operator. */
  manualSteps: string[];
}

/** A port the upstream router forwards to the firewall's WAN. */
export interface UpstreamForward {
  proto: 'tcp' | 'udp' | 'tcp/udp';
  /** The port (or range) on the router's public side. */
  externalPort: string;
  /** The firewall's WAN port (or range) it goes to. */
  port: string;
  /** What listens on the firewall's WAN there: "WireGuard instance wg0", "HAProxy frontend https". */
  listener: string;
  /** The kind of listener: two of one kind on one WAN port are the same socket, whose clash the firewall's own rules report. */
  kind: 'wireguard' | 'haproxy' | 'port-forward' | 'ipsec';
  /** For a WireGuard listener: its instance, whose clients connect to endpoint_port. */
  instance?: string;
  description?: string;
  /** The listener's node, or the declared forward that overrides it. */
  path: Path;
  /** The declared forward that overrides it (its external_port, when it sets one). */
  declared?: Path;
}

export interface Upstream {
  description?: string;
  /** The firewall's WAN address the forwards go to, when it is fixed. */
  target?: string;
  /** One per WAN listener port, in the order of the derived WAN passes. */
  forwards: UpstreamForward[];
  /** Forwards written in the topology that no WAN listener matches. */
  unused: { proto: string; port: number; path: Path }[];
  path: Path;
}

export interface Firewall {
  name: string;
  description?: string;
  /** OPNsense release as written ("26.7", "26.1.6"); one gen knows (an unknown one is reported and replaced by the default). */
  release: string;
  /** Its series (25.7, 26.1, 26.7). */
  series: string;
  dhcpServer: 'dnsmasq' | 'isc';
  publicAddress?: string;
  vm?: { id?: number; host?: string; cores?: number; memoryMb?: number };
  interfaces: FirewallInterface[];
  groups: { name: string; members: string[]; description?: string; path: Path }[];
  /** Static routes: next hop on one of the firewall's static networks (interface: its name). */
  routes: { network: string; via: string; interface: string; description?: string; path: Path }[];
  /**
   * OPNsense's anti-lockout rule as the box has it (targets/opnsense/anti-lockout.ts):
   * on unless the box disables it, on the ports of its web GUI and SSH.
   */
  antiLockout: { enabled: boolean; ports: number[]; path: Path };
  nat: {
    /** The outbound NAT mode written: as the topology says, except that a manual rule of gen's (outboundRules) turns automatic into hybrid. */
    outbound: 'automatic' | 'hybrid' | 'manual' | 'disabled';
    /** Manual outbound rules gen adds: a full-tunnel WireGuard network translated to the WAN address. */
    outboundRules: OutboundNatRule[];
    portForwards: PortForward[];
  };
  path: Path;
}

export interface FirewallInterface {
  name: string;
  /** OPNsense key: wan, lan, optN. */
  key: string;
  /** OPNsense description ([A-Za-z0-9_]). */
  description: string;
  kind: 'device' | 'vlan' | 'wireguard';
  /** Device name inside the firewall (vtnet1, vlan0.10, wg0). */
  device: string;
  bridge?: string;
  vlan?: { parent: string; parentDevice: string; tag: number; pcp: number };
  wireguard?: string;
  addressing: 'static' | 'dhcp' | 'none';
  address?: string;
  prefix?: number;
  /** Network id of this interface's network. */
  network?: string;
  /** Upstream gateway (static WAN). */
  gateway?: string;
  isWan: boolean;
  mtu?: number;
  blockPrivate: boolean;
  blockBogons: boolean;
  dhcp?: Dhcp;
  path: Path;
}

export interface Dhcp {
  from: string;
  to: string;
  dns: string[];
  leaseSeconds?: number;
  static: { name: string; mac: string; address: string; description?: string; path: Path }[];
  path: Path;
}

export interface OutboundNatRule {
  /** The WireGuard instance whose tunnel network is translated (a full tunnel, or a split one the policy lets out of the WAN)... */
  instance?: string;
  /** ...or the static route through a router on an internal network whose network is (its next hop)... */
  route?: { network: string; via: string };
  /** ...or the remote network (remote_networks[].name, reached over WireGuard) the policy lets out of the WAN. */
  remote?: string;
  source: string;
  /** Firewall interface (name) the rule translates on: the WAN. */
  interface: string;
}

export interface PortForward {
  name: string;
  interface: string;
  proto: 'tcp' | 'udp' | 'tcp/udp';
  port: string;
  target: string;
  /** The ports reached on the target: one port, or the forwarded range mapped onto the target from its first port. */
  targetPort: string;
  /** NAT reflection: the forward also redirects connections from the firewall's internal interfaces to the forwarded address. */
  reflection: boolean;
  /** The sources the forward is open to, as written (from:); absent: any. */
  from?: string[];
  /** The objects those names stand for (resolved with the policy; empty: any source). */
  sources: PolicyObject[];
  service?: string;
  description?: string;
  path: Path;
}

export interface Host {
  name: string;
  description?: string;
  ports: string[];
  bridges: Bridge[];
  /** Physical NICs with an address of their own, outside any bridge. */
  nics: HostNic[];
  /** Linux bonds of physical NICs (bridge ports, usually). */
  bonds: HostBond[];
  /** Default route of the host. */
  defaultGateway?: { address: string; bridge: string };
  /** Routes to networks the host reaches only through the firewall. */
  routes: Route[];
  /**
   * Networks behind the firewall the host has no way into: it has no address
   * on a network the firewall serves from inside, so no route can lead there.
   */
  unrouted: { network: string; cidr: string }[];
  path: Path;
}

export interface Bridge {
  name: string;
  description?: string;
  ports: string[];
  vlanAware: boolean;
  /** VLAN ids the bridge carries: written ones, or derived from the firewall's VLANs. */
  vids: string[];
  vidsExplicit: boolean;
  /** VLAN tags the firewall uses through this bridge. */
  requiredVlans: number[];
  address?: string;
  prefix?: number;
  network?: string;
  /** The bridge on which the firewall serves the address's network (undefined when it serves it nowhere). */
  networkBridge?: string;
  /** The VLAN tag of the address's network on this bridge: the address is on the VLAN device <bridge>.<tag>. */
  addressVlan?: number;
  /** Firewall interfaces attached to this bridge (on the host that runs the firewall VM). */
  firewallInterfaces: string[];
  /** A gateway written on the bridge (for a network gen does not know). */
  gateway?: string;
  /** MTU of the bridge, written on the bridge and on each of its ports. */
  mtu?: number;
  path: Path;
}

/** A NIC with a static address of its own (a corosync or storage link): no gateway, no routes. */
export interface HostNic {
  name: string;
  description?: string;
  /** Undefined when the written address is invalid (reported). */
  address?: string;
  prefix?: number;
  network?: string;
  mtu?: number;
  path: Path;
}

/** A Linux bond (bondN) of physical NICs: a bridge's port, or with an address of its own like a HostNic. */
export interface HostBond {
  name: string;
  description?: string;
  slaves: string[];
  mode: BondMode;
  xmitHashPolicy?: string;
  primary?: string;
  /** Undefined without one, or when the written address is invalid (reported). */
  address?: string;
  prefix?: number;
  network?: string;
  mtu?: number;
  path: Path;
}

export interface Route {
  destination: string;
  via: string;
  bridge: string;
  /** Network id of the destination. */
  network: string;
}

export interface WireguardInstance {
  name: string;
  device: string;
  /** OPNsense instance number (wg0 → 0). */
  number: number;
  description?: string;
  listenPort?: number;
  address: string;
  prefix: number;
  network: string;
  block: Block;
  mtu: number;
  publicKey?: string;
  endpoint?: string;
  endpointPort?: number;
  lanEndpoint?: string;
  /** Whether its peers have a pre-shared key unless they say otherwise (preshared_key). */
  presharedKey: boolean;
  keepalive: number;
  /** The opt-in policy: a peer's key is due for rotation this many days after its keyDate. */
  keyRotationDays?: number;
  /** The verify script notes each enabled peer without a handshake for this many days (the operators' rule for unused peers). */
  idlePeerDays: number;
  tunnel: 'split' | 'full';
  /** As written: the DNS servers of the instance (wg/dns-split-tunnel reports them on a split tunnel). */
  dns: string[];
  /**
   * The DNS servers the client files name (their DNS line): a full tunnel's dns; none for a split tunnel, whose
   * DNS line would send every lookup into the tunnel. Without one the devices keep the resolver they had.
   */
  clientDns: string[];
  /** Firewall interface that assigns the instance. */
  interface?: string;
  /** A written `reach` list: what every client routes into the tunnel instead of what the policy derives. */
  reachList?: { name: string; cidrs: string[]; path: Path }[];
  roles: WireguardRole[];
  peers: Peer[];
  /** Next free address per role, null when the range is full. */
  nextFree: Record<string, string | null>;
  path: Path;
}

export interface WireguardRole {
  name: string;
  from: string;
  to: string;
  first: number;
  last: number;
  description?: string;
  path: Path;
}

export interface Peer {
  name: string;
  /** The tunnel's name on the client (the client file's stem without prefix and -lan): tunnel_name, else the peer name. */
  tunnelName: string;
  role: string;
  address: string;
  publicKey?: string;
  enabled: boolean;
  keepalive: number;
  /** Whether the peer has a pre-shared key (its preshared_key, else its instance's): the key itself is in the secrets directory. */
  presharedKey: boolean;
  /** The day the key pair was made (YYYY-MM-DD), as the topology records it. */
  keyDate?: string;
  description?: string;
  /** What the policy lets this peer reach through the tunnel (its address as source), as the fewest CIDR blocks. */
  reach: string[];
  /** The client file's AllowedIPs: the reach, the instance's written reach list, or everything in a full tunnel. */
  allowedIps: string[];
  path: Path;
}

export interface Service {
  name: string;
  description?: string;
  network?: string;
  address: string;
  port?: number;
  proto: 'tcp' | 'udp';
  container?: number;
  vm?: number;
  host?: string;
  path: Path;
}

/**
 * Something a policy can name: a network, an address or CIDR, a WireGuard
 * peer or role, or a service. Every object stands for a set of addresses.
 */
export interface PolicyObject {
  kind: 'network' | 'address' | 'peer' | 'role' | 'service';
  /** As written: a network, peer or service name, "wg0/role", or the address / CIDR. */
  name: string;
  /** The addresses, as the fewest CIDR blocks. */
  cidrs: string[];
  /** The same addresses as sorted, disjoint ranges. */
  ranges: Range[];
  /** A network object's own id; for the others the network that holds the object, if any. */
  network?: string;
  /** The WireGuard instance of a peer or role. */
  instance?: string;
  /** A service's protocol and port, implied by a rule to it. */
  service?: { proto: 'tcp' | 'udp'; port?: number };
}

export interface Zone {
  name: string;
  members: PolicyObject[];
  description?: string;
  path: Path;
}

export type RuleTarget = { kind: 'zone'; zone: string } | { kind: 'object'; name: string } | { kind: 'any' } | { kind: 'internet' } | { kind: 'self' };

export interface PolicyRule {
  // from, to, sources, destinations and ports are shared by the rules that name the same things (resolve/policy.ts): read-only.
  name: string;
  /** What produced the rule: a topology rule, or a service that needs it. */
  origin: string;
  /** Where the traffic comes from: a zone, one object, or the internet (a derived WAN pass). */
  from: Readonly<{ kind: 'zone'; zone: string } | { kind: 'object'; name: string } | { kind: 'wan' }>;
  /** The objects of the source (the zone's members, or the one object); none for the WAN. */
  sources: readonly PolicyObject[];
  to: Readonly<RuleTarget | { kind: 'wan-address'; interface: string }>;
  /** The objects of a zone or object destination. */
  destinations: readonly PolicyObject[];
  proto: 'any' | 'tcp' | 'udp' | 'tcp/udp' | 'icmp';
  ports: readonly string[];
  action: 'pass' | 'block' | 'reject';
  log: boolean;
  description?: string;
  /** The port forward a derived WAN pass belongs to (its linked filter rule). */
  portForward?: string;
  /**
   * A port forward on an internal interface: what its pass matches after the
   * redirect (the sources that enter on that interface, the target and its
   * ports), where a WAN forward's pass matches the internet.
   */
  redirected?: { sources: Range[]; target: Range[]; ports: Range[] };
  path: Path;
}

export interface FlowTest {
  name: string;
  from: string;
  to: string;
  proto: 'tcp' | 'udp' | 'icmp' | 'any';
  port?: number;
  expect: 'accept' | 'deny';
  /** The objects `from` names (a zone's members, or one object); absent for a built-in such as internet. */
  fromObjects?: PolicyObject[];
  /** The objects `to` names. */
  toObjects?: PolicyObject[];
  path: Path;
}

export interface Policy {
  default: 'deny';
  zones: Zone[];
  /** Flows with their expected verdict (policy unit tests). */
  tests: FlowTest[];
  /** The rules in evaluation order: derived WAN passes first, then the topology's rules. */
  rules: PolicyRule[];
  /**
   * The internal networks, everything behind the firewall: its interface,
   * VPN, remote and VPC networks, and the networks of its static routes
   * through a router on one of them. "internet" leaves them out.
   */
  internal: string[];
  /**
   * The WAN's network when it is private (RFC 1918): the upstream router's
   * LAN. Outside the firewall, yet not the internet: "internet" leaves it
   * out too, so an internet-only zone does not reach the hosts there. A
   * DHCP WAN's network is not known: none.
   */
  upstreamLan: string[];
  /**
   * OPNsense's anti-lockout rule when it is on: a pass the box evaluates
   * before every rule of `rules`, which gen does not write and cannot
   * override (resolve/anti-lockout.ts).
   */
  antiLockout?: PolicyRule;
  /**
   * Other rules OPNsense puts before every rule of `rules` on its own: the
   * WAN's "Block private networks", and "allow access to DHCP server" (UDP
   * 67 to the firewall) on each interface it serves DHCP on. Evaluated,
   * never written (resolve/automatic-rules.ts).
   */
  automatic?: PolicyRule[];
}

export interface HaproxyCertificate {
  name: string;
  /** The first name (subject) and the others (subject alternative names). */
  domain: string;
  altNames: string[];
  challenge: 'dns-01' | 'http-01';
  dnsProvider?: string;
  description?: string;
  path: Path;
}

export interface HaproxyFrontend {
  name: string;
  address: string;
  port: number;
  interface: string;
  /** Certificates for TLS offloading (several when a certificate is split per host name). */
  certificates: string[];
  /** TLS passes through to the backends (TCP mode, routing by SNI); no offloading. */
  passthrough: boolean;
  httpRedirect: boolean;
  /** Whether the firewall's resolver answers the exact host names with HAProxy's address behind the upstream router (resolve/split-dns.ts). */
  splitDns: boolean;
  /** The sources its pass is open to, as written (from:); absent: any. */
  from?: string[];
  /** The objects those names stand for (resolved with the policy; empty: any source). */
  sources: PolicyObject[];
  defaultBackend?: string;
  /** Host names routed to their backends: Host header (HTTP) or SNI (passthrough). */
  hosts: { name: string; backend: string; description?: string; path: Path }[];
  description?: string;
  path: Path;
}

export interface HaproxyBackend {
  name: string;
  algorithm: string;
  /** What keeps a client on one server: nothing (each request goes where the algorithm says), its source address, or a cookie HAProxy inserts. */
  sticky: 'none' | 'source' | 'cookie';
  /** tcp for backends of a passthrough frontend. */
  mode: 'http' | 'tcp';
  /** Health check of the servers: none, a TCP connect, or an HTTP request (path, Host header). */
  check: { type: 'none' | 'tcp' | 'http'; path?: string; host?: string };
  /** The servers speak TLS: verify none, or against a CA (refid of a CA on the firewall; none: the system's trust store). */
  tls?: { verify: 'none' | 'ca'; ca?: string; sni?: string };
  description?: string;
  servers: { name: string; address: string; port: number; service?: string; path: Path }[];
  path: Path;
}

export interface Haproxy {
  certificates: HaproxyCertificate[];
  frontends: HaproxyFrontend[];
  backends: HaproxyBackend[];
}

export interface ApiToken {
  user: string;
  token: string;
  /** user@realm!token, what the tool logs in as. */
  tokenId: string;
  intent?: 'vm-provisioning' | 'backup' | 'monitoring';
  /** The ACL entries: the intent's, or the topology's role on its path. */
  grants: { path: string; role: string; reason: string }[];
  privilegeSeparation: boolean;
  description?: string;
  path: Path;
}

export interface ProxmoxRole {
  name: string;
  /** As written (the topology's) or sorted (an intent's). */
  privileges: string[];
  /** 'topology': proxmox.roles; otherwise the intent that needs it. */
  origin: 'topology' | 'vm-provisioning' | 'backup' | 'monitoring';
  description?: string;
  path: Path;
}

export interface Guest {
  kind: 'vm' | 'ct';
  id: number;
  /** The firewall's, service's or backup server's name: the VM name or hostname on create. */
  name: string;
  purpose: 'firewall' | 'service' | 'backup-server';
  /** The Proxmox host it runs on. */
  host?: string;
  cores?: number;
  memoryMb?: number;
  diskGb?: number;
  /** A second disk gen adds and grows (the backup server's datastore cache): its config key and size in GiB, on `storage`. */
  dataDisk?: { key: string; gb: number; what: string };
  storage: string;
  onboot?: boolean;
  create: boolean;
  iso?: string;
  template?: string;
  /** qm ostype on create: FreeBSD (OPNsense) is "other", Linux "l26". */
  ostype?: 'other' | 'l26';
  nics: GuestNic[];
  /**
   * A container's DNS servers (pct `nameserver`); without them pve-container
   * copies the Proxmox host's resolvers into the container at every start.
   * None for a VM (gen writes no cloud-init: its resolvers are set inside
   * it), nor for a container whose network has no firewall address.
   */
  dns?: GuestDns;
  /** Settings only the guest itself can make (a VM's address), for the operator. */
  notes: string[];
  path: Path;
}

export interface GuestDns {
  servers: string[];
  /**
   * Where they come from: the service's guest.dns, the dhcp.dns of its
   * network's firewall interface (what DHCP clients there get), or the
   * firewall's own address on the network (what DHCP without dns hands out).
   */
  from: 'guest' | 'dhcp' | 'firewall';
  /** The node they are written at: guest.dns, dhcp.dns, or the interface's address. */
  path: Path;
  /** The firewall interface of the network, for dhcp and firewall. */
  interface?: string;
}

export interface GuestNic {
  /** N of netN. */
  index: number;
  /** What the NIC is for: the firewall interface or the network's name. */
  label: string;
  bridge?: string;
  tag?: number;
  mac: string;
  /** The MAC was written in the topology (kept) rather than derived. */
  macExplicit: boolean;
  /** Proxmox's firewall on the NIC: off for the firewall VM, unset otherwise. */
  firewall?: boolean;
  /** The firewall interface the NIC carries (firewall VM). */
  interface?: string;
  /** vtnetN inside the firewall. */
  device?: string;
  /** Network id. */
  network?: string;
  /** The guest's address on the network and the network's prefix. */
  address?: string;
  prefix?: number;
  /** A container's default gateway. */
  gateway?: string;
  gatewayExplicit: boolean;
  path: Path;
}
/** How many backups of each kind a prune keeps, in Proxmox's key order (keep-last … keep-yearly). */
export type KeepOptions = Partial<Record<'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly', number>>;

export interface PbsBackup {
  address?: string;
  datastore: string;
  s3Remote: string;
  bucket: string;
  endpoint: string;
  region: string;
  iamUser?: string;
  pveStorage: string;
  /** SHA-256 fingerprint of the backup server's certificate, when the topology gives it. */
  fingerprint?: string;
  /** Calendar event of the datastore's garbage collection. */
  gcSchedule: string;
  /**
   * The local cache of the S3 datastore: a disk of its own on the backup
   * server's VM (GiB), and max-cache-size (GiB). Without either, PBS sizes
   * the cache from the free space of the file system it is on.
   */
  cache: { diskGb?: number; maxSizeGb?: number };
  /** The datastore's prune job on the backup server. */
  prune: { schedule: string; keep: KeepOptions };
  /** prune-backups of the Proxmox VE storage entry, when asked for. */
  pvePrune?: KeepOptions;
  /** The API token Proxmox VE authenticates with (user@pbs!token). */
  token: { user: string; name: string };
  /** The Proxmox VE backup jobs that write to pveStorage. */
  jobs: PveBackupJob[];
  path: Path;
}

/** Which guests a backup job takes: vzdump's all (with exclude), pool, or vmid. */
export type PveBackupSelection = { kind: 'all'; exclude: number[] } | { kind: 'pool'; pool: string } | { kind: 'vmid'; vmids: number[] };

/** A Proxmox VE backup job (jobs.cfg `vzdump: <id>`), created through /cluster/backup. */
export interface PveBackupJob {
  id: string;
  schedule: string;
  mode: 'snapshot' | 'suspend' | 'stop';
  selection: PveBackupSelection;
  /** notes-template; empty: none. */
  notesTemplate: string;
  enabled: boolean;
  repeatMissed: boolean;
  comment?: string;
  path: Path;
}

export interface Aws {
  region: string;
  /** `retired`: kept in S3, no longer managed by Terraform (only `removed` blocks are written for it). */
  buckets: { name: string; description?: string; noncurrentDays?: number; keepNoncurrentForever?: string; retired: boolean; path: Path }[];
  users: IamUser[];
  /** Terraform's remote state (the s3 backend); local state in out/ without it. */
  stateBackend?: { bucket: string; key: string; region: string; useLockfile: boolean; path: Path };
  vpc?: Vpc;
  path: Path;
}

export interface IamUser {
  name: string;
  policy: string;
  /** An access key made by Terraform: none (the default; made out of band), or encrypted to a PGP key. true is refused by aws/access-key-in-state. */
  accessKey: false | true | { pgpKey: string };
  description?: string;
  intents: {
    intent: 'backup-writer' | 'reader' | 'writer';
    bucket: string;
    prefix?: string;
    /** The Proxmox Backup Server datastores this user's key writes in the bucket (backup.pbs with this user). */
    pbsDatastores: string[];
    path: Path;
  }[];
  path: Path;
}

export interface Vpc {
  name: string;
  cidr: string;
  network: string;
  description?: string;
  subnets: Subnet[];
  tiers: { name: string; public: boolean; azs: string[]; subnets: string[] }[];
  natGateway: boolean;
  routeTables: {
    tier: string;
    /** The tier's way out to the internet: the internet gateway (public), the NAT gateway, or none. */
    egress: 'internet-gateway' | 'nat-gateway' | 'none';
    /** path: the route written in the topology; targetPath: the node that chose a derived route's target (a tier's egress). */
    routes: { destination: string; target: 'internet-gateway' | 'nat-gateway' | 'vpn-gateway'; path?: Path; targetPath?: Path }[];
    subnets: string[];
    propagateVpn: boolean;
  }[];
  securityGroups: SecurityGroup[];
  siteToSite?: {
    site: string;
    customerGatewayIp?: string;
    bgpAsn: number;
    onPremNetworks: string[];
    /** Static routes of the VPN connection: the on-prem networks, and every other destination a route table sends to the VPN gateway. */
    connectionRoutes: string[];
    path: Path;
  };
  /** Flows with their expected verdict against the security groups. */
  tests: FlowTest[];
  /** What the operator must know when launching instances, which the Terraform cannot say by itself: gen build prints them. */
  notes: string[];
  path: Path;
}

export interface Subnet {
  name: string;
  az: string;
  cidr: string;
  tier: string;
  /** Instances launched here get a public IPv4 address (map_public_ip_on_launch); true only where the tier routes to the internet gateway (aws/public-ip-unrouted). */
  publicIpOnLaunch: boolean;
  network: string;
  description?: string;
  path: Path;
}

export interface SecurityGroup {
  name: string;
  description?: string;
  /** A group gen derives from a site's policy: for the zone (or object) `target`, whose members are the VPC `subnets`. */
  derived?: { site: string; target: string; subnets: string[] };
  ingress: SecurityGroupRule[];
  egress: SecurityGroupRule[];
  /** True when the topology wrote no egress list (all outbound allowed). */
  defaultEgress: boolean;
  path: Path;
}

export interface SecurityGroupRule {
  proto: 'tcp' | 'udp' | 'icmp' | 'all';
  ports: { from: number; to: number }[];
  cidr?: string;
  group?: string;
  public?: string;
  description?: string;
  path: Path;
}
