<?php
/*
 * Offline OPNsense harness, second process: model validation of WORKDIR/conf/config.xml (as
 * run.php left it: migrated, plugin interfaces registered), exactly upstream's
 * run_validations.php (`pluginctl -v`: validate() on every model, "Model.path => message").
 * usage: php validate.php ROOT WORKDIR
 */
require __DIR__ . '/boot.php';

[$self, $ROOT, $WORK] = array_slice($argv, 0, 3);
$UL = opn_boot($ROOT, $WORK);
require_once 'config.inc';
require_once 'util.inc';
require_once 'interfaces.inc';

echo "\n##### model validation (run_validations.php)\n";
$argv = ['run_validations.php'];
ob_start();
try {
    include "$UL/opnsense/mvc/script/run_validations.php";
} catch (\Throwable $e) {
    echo "validation FAILED: " . get_class($e) . ': ' . $e->getMessage() . ' at ' . opn_rel($e->getFile()) . ':' . $e->getLine() . "\n";
}
$out = trim(ob_get_clean());
$lines = [];
foreach (($out === '' ? [] : explode("\n", $out)) as $l) {
    /* run_validations.php also validates the Alias model's in-memory internal aliases
     * (__<if>_network, from DynamicAliases) against the user-alias name rule; they are not
     * in config.xml and fail on any config that has one user alias: report, don't count */
    if (preg_match('/^OPNsense\\\\Firewall\\\\Alias\.aliases\.alias\.__[a-z0-9_]+_network\.name => /', $l)) {
        echo "note (upstream, internal alias) $l\n";
        continue;
    }
    echo "ERROR $l\n";
    $lines[] = $l;
}
/* which of the config's sections have a model (so the reader knows what was really checked) */
$seen = [];
$mdir = "$UL/opnsense/mvc/app/models";
foreach (new RecursiveIteratorIterator(new RecursiveDirectoryIterator($mdir)) as $f) {
    if (substr($f->getFilename(), -4) !== '.xml') {
        continue;
    }
    $xml = @simplexml_load_file($f->getPathname());
    if ($xml === false || $xml->getName() !== 'model') {
        continue;
    }
    $mount = trim(str_replace('//', '/', (string)$xml->mount), '/+');
    $node = OPNsense\Core\Config::getInstance()->object();
    foreach (explode('/', $mount) as $p) {
        if ($p === '' || !isset($node->$p)) {
            $node = null;
            break;
        }
        $node = $node->$p;
    }
    if ($node !== null && $node->count() + strlen(trim((string)$node)) > 0) {
        $seen[] = substr($f->getPath(), strlen($mdir) + 1) . '/' . $f->getBasename('.xml');
    }
}
sort($seen);
printf("##### %d validation message(s); models with data in this config: %s\n", count($lines), implode(' ', $seen));
opn_print_warnings('validation');
if (getenv('OPN_SAVE_CONFIG')) {
    /* the configuration as OPNsense left it (migrated, plugin interfaces registered) */
    copy("$WORK/conf/config.xml", getenv('OPN_SAVE_CONFIG'));
}
exit(count($lines) ? 1 : 0);
