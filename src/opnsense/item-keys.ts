// Natural keys of MVC items: a base item matching any key set is the same
// item as gen's (merge.ts replaces it).
// A key must name one item on the box: what OPNsense keeps unique (a UniqueConstraint, an AutoNumberField, a name
// the generated service config needs once), or a base item of the operator's own that merely shares it would be
// replaced. Names of WireGuard instances and peers are not unique (the same person's laptop is a peer of two
// instances): an instance is its number (its device wgN), a peer its public key with its endpoint (Client.xml keeps
// pubkey, serveraddress and serverport unique together): gen's peers have none, so a box's peer that the firewall
// dials with the same key is another item. A DHCP host's name counts within its domain.
export const ITEM_KEYS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  vlan: [['vlanif'], ['if', 'tag']],
  dhcp_ranges: [['interface']],
  hosts: [['host', '?domain'], ['hwaddr']],
  // A DHCP option is the box's same dnsmasq line: its type (a match line is no option sent), its v6 option and its
  // tags (a tagged option 6 reaches only the tagged clients, beside gen's untagged one: taking it over would drop it).
  dhcp_options: [['interface', 'option', '?option6', 'type', '?tag']],
  ifgroupentry: [['ifname']],
  route: [['network']],
  gateway_item: [['name']],
  alias: [['name']],
  server: [['instance']],
  client: [['pubkey', '?serveraddress', '?serverport']],
  frontend: [['name']],
  backend: [['name']],
  action: [['name']],
  account: [['name']],
  validation: [['name']],
  certificate: [['name']],
  // The ACME client's renewal job is the one with its origin: the plugin makes it alone and finds it by it
  // (fetchCronIntegrationAction); a box's own keeps its UUID and schedule, and a second one goes.
  job: [['origin']],
  // An Unbound host override: Unbound answers each of a name's records, so a box's own override of the same name
  // and record type would stand beside gen's and clients get either address.
  host: [['hostname', 'domain', 'rr']],
};
