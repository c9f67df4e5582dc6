<?php
/*
 * Offline OPNsense harness: the host entries Unbound would load for CONFIG.xml (a config as run.sh
 * left it, migrated), written by OPNsense's own unbound_add_host_entries() (plugins.inc.d/unbound.inc,
 * what `configctl unbound start` runs), then printed; also Unbound's switch (general.enabled) as the
 * model reads it, its port (general.port), and the interface: lines unbound_generate_config() writes
 * (each as `bind <line>`). The function's one absolute path, /var/unbound/host_entries.conf, is pointed into
 * WORKDIR: the same mechanical edit setup.sh makes to /usr/local paths.
 * usage: php unbound-hosts.php ROOT CONFIG.xml WORKDIR
 */
require __DIR__ . '/boot.php';

[$UL, $WORK] = opn_boot_with_config($argv);
require_once 'interfaces.inc';
/* the legacy $config the function reads (system domain, general.local_zone_type), as run.php loads it */
$GLOBALS['config'] = parse_config();

$source = file_get_contents("$UL/etc/inc/plugins.inc.d/unbound.inc");
if (!preg_match('/^function unbound_add_host_entries\(.*?^}\n/ms', $source, $m)) {
    fwrite(STDERR, "unbound_add_host_entries() not found\n");
    exit(2);
}
$out = "$WORK/host_entries.conf";
$code = str_replace(
    ["function unbound_add_host_entries(", "'/var/unbound/host_entries.conf'"],
    ["function opn_unbound_add_host_entries(", var_export($out, true)],
    $m[0]
);
eval($code);

/* the interface: lines unbound_generate_config() writes into unbound.conf, by its own code for them */
if (!preg_match('/^    \$bindints = \'\';\n.*?^    }\n/ms', $source, $b)) {
    fwrite(STDERR, "unbound.conf interface: lines not found\n");
    exit(2);
}
$general = config_read_array('OPNsense', 'unboundplus', 'general');
eval($b[0]);

$mdl = new OPNsense\Unbound\Unbound();
echo "enabled " . (string)$mdl->general->enabled . "\n";
echo "version " . $mdl->getVersion() . "\n";
echo "port " . (string)$mdl->general->port . "\n";
foreach (array_filter(explode("\n", $bindints)) as $line) {
    echo "bind $line\n";
}
opn_unbound_add_host_entries(legacy_interfaces_details());
echo file_get_contents($out);
opn_print_warnings('unbound host entries');
