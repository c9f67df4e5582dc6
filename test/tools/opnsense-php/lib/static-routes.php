<?php
/*
 * Offline OPNsense harness: the route(8) commands OPNsense's own system_routing_configure() (system.inc, what a
 * boot, `configctl interface routes configure` and an apply of System › Routes run) issues for CONFIG.xml: the
 * default route of each family, then for each static route get_staticroutes() admits a `route delete` and, unless
 * it is disabled, a `route add`. Nothing is run (the Shell stub records each command); one command a line.
 * usage: php static-routes.php ROOT CONFIG.xml WORKDIR
 */
require __DIR__ . '/boot.php';

opn_boot_with_config($argv);
require_once 'interfaces.inc';
require_once 'system.inc';
/* the legacy $config the function reads, as run.php loads it */
$GLOBALS['config'] = parse_config();

system_routing_configure(false, null, false);
foreach (OPNsense\Core\Shell::$log as $command) {
    if (strpos($command, '/sbin/route ') === 0) {
        echo "$command\n";
    }
}
