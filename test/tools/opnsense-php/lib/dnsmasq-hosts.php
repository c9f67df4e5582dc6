<?php
/*
 * Offline OPNsense harness: the hosts file dnsmasq reads (addn-hosts=/var/etc/dnsmasq-hosts) for CONFIG.xml (a
 * config as run.sh left it, migrated), written by OPNsense's own _dnsmasq_add_host_entries()
 * (plugins.inc.d/dnsmasq.inc, what dnsmasq_configure_do() runs), then printed. The function's two absolute paths,
 * /var/etc/dnsmasq-hosts and /var/etc/dnsmasq-leases, are pointed into WORKDIR: the same mechanical edit setup.sh
 * makes to /usr/local paths.
 * usage: php dnsmasq-hosts.php ROOT CONFIG.xml WORKDIR
 */
require __DIR__ . '/boot.php';

[$UL, $WORK] = opn_boot_with_config($argv);
require_once 'interfaces.inc';
/* the legacy $config the function reads (dnsmasq.hosts), as run.php loads it */
$GLOBALS['config'] = parse_config();

$source = file_get_contents("$UL/etc/inc/plugins.inc.d/dnsmasq.inc");
if (!preg_match('/^function _dnsmasq_add_host_entries\(.*?^}\n/ms', $source, $m)) {
    fwrite(STDERR, "_dnsmasq_add_host_entries() not found\n");
    exit(2);
}
$out = "$WORK/dnsmasq-hosts";
$code = str_replace(
    ["function _dnsmasq_add_host_entries(", "'/var/etc/dnsmasq-hosts'", "'/var/etc/dnsmasq-leases'", "plugins_run('static_mapping', "],
    ["function opn_dnsmasq_add_host_entries(", var_export($out, true), var_export("$WORK/dnsmasq-leases", true), "opn_static_mapping("],
    $m[0]
);

/*
 * The static_mapping hook as a box with ISC DHCP runs it: from 26.1 ISC's dhcpd.inc is the os-isc-dhcp plugin's,
 * which setup.sh keeps beside the tree (isc-dhcp/dhcpd.inc); plugins_run() would find it in plugins.inc.d.
 */
function opn_static_mapping($args)
{
    $ret = plugins_run('static_mapping', $args);
    $isc = dirname($GLOBALS['UL'], 3) . '/isc-dhcp/dhcpd.inc';
    if (!isset($ret['dhcpd']) && is_file($isc)) {
        require_once $isc;
        $map = dhcpd_staticmap(...$args);
        if (!empty($map)) {
            $ret = ['dhcpd' => $map] + $ret;
        }
    }
    return $ret;
}
eval($code);

opn_dnsmasq_add_host_entries();
echo file_get_contents($out);
opn_print_warnings('dnsmasq host entries');
