<?php
/*
 * Loads OPNsense's own code (config.inc, filter.inc, ...) of the release under ROOT with
 * WORKDIR/conf/config.xml as the firewall's configuration; shared by run.php and validate.php.
 * usage (from those scripts): [$UL, $WORK] = opn_boot(ROOT, WORKDIR);
 */
error_reporting(E_ALL);
ini_set('display_errors', 'stderr');
ini_set('log_errors', '0');
ini_set('memory_limit', '512M');

$warnings = [];

function opn_boot($ROOT, $WORK)
{
    global $warnings;
    $UL = "$ROOT/usr/local";
    @mkdir("$WORK/conf", 0700, true);
    @mkdir("$WORK/tmp", 0700, true);
    putenv("OPN_CONF_DIR=$WORK/conf");
    putenv("OPN_TMP_DIR=$WORK/tmp");
    putenv("OPN_UL=$UL");
    set_error_handler(function ($no, $str, $file, $line) use ($UL) {
        global $warnings;
        if (!(error_reporting() & $no)) {
            return true;
        }
        $warnings[] = sprintf('%s at %s:%d', $str, str_replace("$UL/", '', $file), $line);
        return true;
    });
    require __DIR__ . '/stubs.php';
    set_include_path("$UL/etc/inc:$UL/opnsense/mvc:" . get_include_path());
    return $UL;
}

/* for a script run as "php SCRIPT ROOT CONFIG.xml WORKDIR": boots with CONFIG.xml as the firewall's configuration */
function opn_boot_with_config($argv)
{
    [$self, $ROOT, $CONFIG, $WORK] = array_slice($argv, 0, 4);
    $UL = opn_boot($ROOT, $WORK);
    copy($CONFIG, "$WORK/conf/config.xml");
    require_once 'config.inc';
    require_once 'util.inc';
    return [$UL, $WORK];
}

function opn_rel($s)
{
    return str_replace(getenv('OPN_UL') . '/', '', $s);
}

/* upstream warnings that escaped to the handler, counted */
function opn_print_warnings($title)
{
    global $warnings;
    if ($warnings) {
        echo "\n##### PHP warnings/notices raised by upstream code ($title)\n";
        foreach (array_count_values($warnings) as $w => $c) {
            echo ($c > 1 ? "[{$c}x] " : '') . "$w\n";
        }
    }
}
