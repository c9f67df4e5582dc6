<?php
/*
 * Offline OPNsense harness: whether the ACME client would renew each certificate of CONFIG.xml
 * now, by its own LeCertificate::needsRenewal() (what `lecert.php --mode issue --all --cron`, the
 * daily renewal job, asks before it runs acme.sh). With no certificate file on disk (none here)
 * it counts from the certificate's lastUpdate, so the caller sets that to "issued N days ago".
 * Prints one line per certificate: "<name> <renewInterval> <0|1>".
 * usage: php acme-renewal.php ROOT CONFIG.xml WORKDIR
 */
require __DIR__ . '/boot.php';

opn_boot_with_config($argv);

$model = new OPNsense\AcmeClient\AcmeClient();
foreach ($model->certificates->certificate->iterateItems() as $uuid => $item) {
    $certificate = new OPNsense\AcmeClient\LeCertificate((string)$uuid, false, true);
    printf("%s %s %d\n", (string)$item->name, (string)$item->renewInterval, $certificate->needsRenewal() ? 1 : 0);
}
