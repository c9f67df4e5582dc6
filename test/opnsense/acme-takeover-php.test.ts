// What the ACME client does with a certificate of the box's own that gen's
// took over, by its own code: the daily job (lecert.php --mode issue --all
// --cron) of os-acme-client of each release, on the merged config, with
// acme.sh replaced by a stand-in that records its arguments
// (test/tools/opnsense-php/lib/acme-issue.php). LeCertificate::issue() runs
// acme.sh only when needsRenewal() says so (the start of validity of the
// certificate file under the certificate's id, else lastUpdate, plus
// renewInterval), and --renew whenever lastUpdate is set, else --issue;
// acme.sh's renew takes the names from its own record of the certificate,
// so with other names only --issue, with every name, gets them.
// Needs OPNSENSE_CORE_GIT, OPNSENSE_PLUGINS_GIT and php; skips loudly without them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { edit, readExample, root } from '../helpers.js';
import { hasCommand } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { UPSTREAM_RELEASES, factoryConfig, releaseSections } from './support.js';

removeTempDirsAfterAll();

const coreGit = process.env.OPNSENSE_CORE_GIT;
const why = !coreGit ? 'OPNSENSE_CORE_GIT is not set' : !process.env.OPNSENSE_PLUGINS_GIT ? 'OPNSENSE_PLUGINS_GIT is not set' : !hasCommand('php') ? 'needs php' : undefined;
if (why) process.stderr.write(`\n*** skipped: the ACME client on a taken-over certificate: ${why} ***\n\n`);

const tools = join(root, 'test/tools/opnsense-php');
const env = { ...process.env, OPNSENSE_PHP_CACHE: process.env.OPNSENSE_PHP_CACHE ?? join(tmpdir(), 'gen-opnsense-php') };
const DAY = 86400_000;

const BOX_ID = 'bbbbbbbbbbbbb2.22222222';
const BOX_REFID = '60aaaaaaaaaaa';
const BOX_ACCOUNT_ID = 'aaaaaaaaaaaaa1.11111111';
/** The box's lastUpdate: long enough ago that it alone makes the certificate due, so only the file under the box's id can say it is not. */
const ISSUED = Math.floor((Date.now() - 70 * DAY) / 1000);

/** The factory config of `tag` with the box's own ACME account and certificate for *.example.com (altNames `altNames`), issued and registered. */
function base(tag: string, release: string, altNames: string, keyLength: string): string {
  const version = releaseFacts(release)!.versions.acme;
  const acme =
    `<AcmeClient version="${version}"><settings><enabled>1</enabled><autoRenewal>1</autoRenewal></settings>` +
    '<accounts><account uuid="11111111-2222-4333-8444-555555555555">' +
    `<id>${BOX_ACCOUNT_ID}</id><enabled>1</enabled><name>letsencrypt</name><ca>letsencrypt</ca><key>S0VZ</key><statusCode>200</statusCode><statusLastUpdate>1700000000</statusLastUpdate></account></accounts>` +
    '<certificates><certificate uuid="66666666-7777-4888-8999-000000000000">' +
    `<id>${BOX_ID}</id><enabled>1</enabled><name>*.example.com</name><altNames>${altNames}</altNames><keyLength>${keyLength}</keyLength>` +
    `<certRefId>${BOX_REFID}</certRefId><lastUpdate>${ISSUED}</lastUpdate><statusCode>200</statusCode></certificate></certificates></AcmeClient>`;
  const cert = `<cert uuid="12345678-1234-4234-8234-123456789012"><refid>${BOX_REFID}</refid><descr>*.example.com (ACME Client)</descr><crt>SVNTVUVE</crt><prv>SVNTVUVE</prv></cert>`;
  const config = factoryConfig(coreGit!, tag).replace(/<\/opnsense>\s*$/, `  ${cert}\n</opnsense>\n`);
  // The factory config of 25.7 and 26.1 has no <OPNsense> yet.
  return config.includes('<OPNsense>') ? config.replace('<OPNsense>', `<OPNsense>\n    ${acme}`) : config.replace(/<\/opnsense>\n$/, `  <OPNsense>${acme}</OPNsense>\n</opnsense>\n`);
}

/** gen's homelab, whose HAProxy certificate is *.example.com (EC 256) with `altNames`, merged into the box of base(). */
async function merged(tag: string, release: string, boxAltNames: string, altNames: string[], boxKeyLength = 'key_ec256'): Promise<string> {
  const yaml = edit(readExample('homelab'), ['sites', 0, 'haproxy', 'certificates', 0, 'alt_names'], altNames.length > 0 ? altNames : undefined);
  const { sections, privateKey } = await releaseSections(yaml, release);
  return mergeConfig(base(tag, release, boxAltNames, boxKeyLength), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true });
}

/**
 * Runs the client's daily job on `config`, with the certificate acme.sh issued under the box's id starting its
 * validity `daysAgo` days ago; returns each acme.sh command line it ran, as arguments, and the client's log.
 */
function dailyJob(tag: string, config: string, daysAgo: number): { calls: string[][]; log: string } {
  const work = tempDir('gen-acme-takeover-');
  const run = join(work, 'run');
  const certs = join(run, 'var/etc/acme-client/certs', BOX_ID);
  mkdirSync(certs, { recursive: true });
  writeFileSync(join(certs, 'cert.pem'), selfSignedCertificate(['*.example.com'], new Date(Date.now() - daysAgo * DAY)).certificatePem);
  const acmeSh = join(work, 'acme.sh');
  const log = `${acmeSh}.log`;
  // Records its arguments beside itself and fails, as acme.sh does when the CA refuses: the client stops before it imports anything.
  writeFileSync(acmeSh, `#!/bin/sh\n{ for a in "$@"; do printf '%s\\n' "$a"; done; printf '\\0'; } >> "$0.log"\nexit 1\n`, { mode: 0o700 });
  writeFileSync(join(work, 'config.xml'), config, { mode: 0o600 });
  const r = spawnSync('php', [join(tools, 'lib/acme-issue.php'), join(env.OPNSENSE_PHP_CACHE, tag, 'root'), join(work, 'config.xml'), run, acmeSh], { encoding: 'utf8', env });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  const calls = existsSync(log) ? readFileSync(log, 'utf8').split('\0').filter((c) => c !== '') : [];
  return { calls: calls.map((c) => c.split('\n').filter((a) => a !== '')), log: r.stderr };
}

/** The release's upstream tree in the cache (test/tools/opnsense-php/setup.sh). */
function setUp(tag: string): void {
  const setup = spawnSync('bash', [join(tools, 'setup.sh'), tag], { encoding: 'utf8', env });
  expect(setup.status, setup.stderr).toBe(0);
}

/** LeCertificate::issue()'s log line when needsRenewal() says no. */
const NOT_DUE = 'AcmeClient: issue/renewal not required for certificate: *.example.com';

/** The value after each `flag` of a command line. */
const values = (argv: readonly string[], flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]!] : []));

describe.skipIf(why)(`the ACME client on the box's certificate that gen's took over${why ? ` (skipped: ${why})` : ''}`, () => {
  it.each(UPSTREAM_RELEASES)('$tag: renews it under the box\'s id when due, with its names unchanged', async ({ tag, release }) => {
    setUp(tag);
    const config = await merged(tag, release, '', []);
    // Issued a day ago (its file under the box's id says so): not due, acme.sh is not run.
    expect(dailyJob(tag, config, 1)).toEqual({ calls: [], log: expect.stringContaining(NOT_DUE) });
    // Past renewInterval: one --renew of that certificate, with the account the box registered (LeAccount::isRegistered()), whose acme.sh files are under its id.
    const { calls } = dailyJob(tag, config, 60);
    expect(calls.map((argv) => argv[0])).toEqual(['--renew']);
    expect(values(calls[0]!, '--domain')).toEqual(['*.example.com']);
    expect(values(calls[0]!, '--certpath')[0]).toMatch(new RegExp(`/certs/${BOX_ID.replace('.', '\\.')}/cert\\.pem$`));
    expect(values(calls[0]!, '--accountconf')[0]).toMatch(new RegExp(`/accounts/${BOX_ACCOUNT_ID.replace('.', '\\.')}_prod/account\\.conf$`));
  });

  it.each(UPSTREAM_RELEASES)('$tag: issues it anew with every name when gen\'s has other names', async ({ tag, release }) => {
    setUp(tag);
    const config = await merged(tag, release, 'example.com', ['example.com', 'www.example.com']);
    // Not before it is due (merge's warning says so): needsRenewal() reads the issued file, whatever the names.
    expect(dailyJob(tag, config, 1)).toEqual({ calls: [], log: expect.stringContaining(NOT_DUE) });
    const { calls } = dailyJob(tag, config, 60);
    expect(calls.map((argv) => argv[0])).toEqual(['--issue']);
    expect(values(calls[0]!, '--domain')).toEqual(['*.example.com', 'example.com', 'www.example.com']);
    expect(values(calls[0]!, '--certpath')[0]).toMatch(new RegExp(`/certs/${BOX_ID.replace('.', '\\.')}/cert\\.pem$`));
  });

  it.each(UPSTREAM_RELEASES)('$tag: issues it anew as an EC certificate when the box\'s was RSA', async ({ tag, release }) => {
    setUp(tag);
    // acme.sh keeps an EC certificate apart from an RSA one of the name: --renew --ecc would find none.
    const { calls } = dailyJob(tag, await merged(tag, release, '', [], 'key_4096'), 60);
    expect(calls.map((argv) => argv[0])).toEqual(['--issue']);
    expect(values(calls[0]!, '--domain')).toEqual(['*.example.com']);
    expect(values(calls[0]!, '--keylength')).toEqual(['ec-256']);
    // Under the box's id, as the box's certificate was: import() then replaces the <cert> of its certRefId, which HAProxy serves.
    expect(values(calls[0]!, '--certpath')[0]).toMatch(new RegExp(`/certs/${BOX_ID.replace('.', '\\.')}/cert\\.pem$`));
  });
});
