<?php
/*
 * Offline OPNsense harness: what the ACME client's daily job (`lecert.php --mode issue --all --cron`,
 * configd's `acmeclient cron-auto-renew`) does with CONFIG.xml: the release's own lecert.php runs, with its
 * own arguments, and its LeCertificate, LeAccount and LeValidation code, up to acme.sh. Two things are moved,
 * in LeCommon's constants only: the client's files (/var/etc/acme-client/...) into WORKDIR/var/etc/acme-client,
 * where the caller may leave an issued certificate (certs/<id>/cert.pem: needsRenewal() reads its start of
 * validity), and acme.sh (ACME_CMD) to ACME_SH, a stand-in the caller provides, which LeUtils::run_shell_command()
 * runs as it would run acme.sh (LeAccount's registration and LeCertificate's revoke/remove name
 * /usr/local/sbin/acme.sh itself, which setup.sh points into the tree, where there is none: they fail, as a
 * refused acme.sh would). The client's log (syslog) is copied to stderr.
 * usage: php acme-issue.php ROOT CONFIG.xml WORKDIR ACME_SH
 */
if (getenv('OPN_ACME_ISSUE') === false) {
    /* the caller's process: run lecert.php in its own, with this file prepended to it */
    [$self, $ROOT, $CONFIG, $WORK, $ACME_SH] = array_pad($argv, 5, null);
    if ($ACME_SH === null) {
        fwrite(STDERR, "usage: php acme-issue.php ROOT CONFIG.xml WORKDIR ACME_SH\n");
        exit(2);
    }
    $lecert = "$ROOT/usr/local/opnsense/scripts/OPNsense/AcmeClient/lecert.php";
    $env = getenv() + ['OPN_ACME_ISSUE' => json_encode([$ROOT, $CONFIG, $WORK, $ACME_SH])];
    $proc = proc_open([PHP_BINARY, '-d', 'auto_prepend_file=' . __FILE__, $lecert, '--mode', 'issue', '--all', '--cron'], [STDIN, STDOUT, STDERR], $pipes, null, $env);
    exit(proc_close($proc));
}

/* prepended to lecert.php */
require __DIR__ . '/boot.php';

[$ROOT, $CONFIG, $WORK, $ACME_SH] = json_decode(getenv('OPN_ACME_ISSUE'));
[$UL, $WORK] = opn_boot_with_config([__FILE__, $ROOT, $CONFIG, $WORK]);
openlog('harness', LOG_PERROR, LOG_USER);

/* LeCommon, relocated as setup.sh relocates /usr/local: defined before the autoloader would load the original */
$source = file_get_contents("$UL/opnsense/mvc/app/library/OPNsense/AcmeClient/LeCommon.php");
$source = str_replace("'/var/etc/acme-client", "'$WORK/var/etc/acme-client", $source, $count);
$source = preg_replace("/const ACME_CMD = '[^']*'/", 'const ACME_CMD = ' . var_export($ACME_SH, true), $source, -1, $cmd);
if ($count === 0 || $cmd !== 1) {
    fwrite(STDERR, "acme-issue.php: LeCommon.php has no /var/etc/acme-client paths or no ACME_CMD: relocate what it has now\n");
    exit(2);
}
file_put_contents("$WORK/LeCommon.php", $source);
require "$WORK/LeCommon.php";
register_shutdown_function(fn () => opn_print_warnings('lecert.php'));
