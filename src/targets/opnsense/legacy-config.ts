// How OPNsense reads the legacy part of config.xml into PHP arrays:
// elements with these names are always lists, even with one entry
// (listtags() in etc/inc/config.inc; the same list in 25.7, 26.1 and 26.7).
export const LIST_TAGS: ReadonlySet<string> = new Set([
  'acls', 'alias', 'aliasurl', 'allowedip', 'allowedhostname', 'authserver',
  'bridged', 'build_port_path',
  'ca', 'cacert', 'cert', 'crl', 'clone', 'config', 'container', 'columnitem',
  'dhcp_ranges', 'disk', 'dnsserver', 'dnsupdate', 'domainoverrides',
  'element', 'encryption-algorithm-option',
  'field', 'fieldname',
  'gateway_item', 'gateway_group', 'gif', 'gre', 'group',
  'hash-algorithm-option', 'hosts',
  'ifgroupentry', 'igmpentry', 'interface_array', 'item',
  'key',
  'lagg', 'lbpool',
  'member', 'menu', 'mobilekey', 'monitor_type', 'mount',
  'npt', 'ntpserver',
  'onetoone', 'openvpn-server', 'openvpn-client', 'openvpn-csc', 'option',
  'package', 'passthrumac', 'phase1', 'phase2', 'ppp', 'pppoe', 'priv', 'proxyarpnet', 'pool', 'pages', 'pipe',
  'radnsserver', 'roll', 'route', 'row', 'rrddatafile', 'rule',
  'schedule', 'service', 'servernat', 'servers', 'serversdisabled', 'staticmap', 'subqueue',
  'tab', 'timerange', 'tunnel',
  'user',
  'vip', 'virtual_server', 'vlan',
  'winsserver', 'wolentry', 'widget',
]);
