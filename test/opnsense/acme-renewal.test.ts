// When the ACME client renews gen's certificates, by its own code: the
// daily renewal job (lecert.php --mode issue --all --cron) runs acme.sh for
// a certificate only once LeCertificate::needsRenewal() says so, which is
// the certificate's start of validity plus its renewInterval in days. Let's
// Encrypt shortens its certificates (its announcement of 2 December 2025:
// the default "classic" profile issues 64-day certificates from 10 February
// 2027 and 45-day ones from 16 February 2028; the "tlsserver" profile
// already does) and asks clients to renew two thirds into the lifetime.
// The merged config of each release, with the certificate issued N days
// ago, is asked with upstream's PHP (test/tools/opnsense-php/lib/acme-renewal.php).
// Needs OPNSENSE_CORE_GIT, OPNSENSE_PLUGINS_GIT and php; skips loudly without them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACME_RENEW_DAYS } from '../../src/targets/opnsense/acme.js';
import { readExample, root } from '../helpers.js';
import { hasCommand } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { UPSTREAM_RELEASES, mergedFactoryConfig } from './support.js';

removeTempDirsAfterAll();

const coreGit = process.env.OPNSENSE_CORE_GIT;
const why = !coreGit ? 'OPNSENSE_CORE_GIT is not set' : !process.env.OPNSENSE_PLUGINS_GIT ? 'OPNSENSE_PLUGINS_GIT is not set' : !hasCommand('php') ? 'needs php' : undefined;
if (why) process.stderr.write(`\n*** skipped: the ACME client's renewal of gen's certificates: ${why} ***\n\n`);

const tools = join(root, 'test/tools/opnsense-php');
const env = { ...process.env, OPNSENSE_PHP_CACHE: process.env.OPNSENSE_PHP_CACHE ?? join(tmpdir(), 'gen-opnsense-php') };
const DAY = 86400;

/** Let's Encrypt's certificate lifetimes in days: the classic profile now, from 10 February 2027, and from 16 February 2028. */
const LIFETIMES = [90, 64, 45];

/** Each certificate of the config, issued `daysAgo` days ago: whether upstream's needsRenewal() renews it now. */
function renewsAfter(config: string, tag: string, daysAgo: number, work: string): { name: string; interval: number; renews: boolean }[] {
  const issued = Math.floor(Date.now() / 1000) - daysAgo * DAY;
  // gen writes lastUpdate empty (never issued); the plugin sets it when it imports the certificate.
  const withIssue = config.replace(/(<certRefId>[^<]*<\/certRefId>\s*)<lastUpdate\s*\/>/g, `$1<lastUpdate>${issued}</lastUpdate>`);
  const file = join(work, `issued-${daysAgo}.xml`);
  writeFileSync(file, withIssue, { mode: 0o600 });
  const run = join(work, `run-${daysAgo}`);
  mkdirSync(run);
  const r = spawnSync('php', [join(tools, 'lib/acme-renewal.php'), join(env.OPNSENSE_PHP_CACHE, tag, 'root'), file, run], { encoding: 'utf8', env });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [name, interval, renews] = l.split(' ');
      return { name: name!, interval: Number(interval), renews: renews === '1' };
    });
}

describe.skipIf(why)(`the ACME client's renewal of gen's certificates${why ? ` (skipped: ${why})` : ''}`, () => {
  it.each(UPSTREAM_RELEASES)('$tag: renewed two thirds into a 90-, 64- or 45-day certificate, and not within a week of its issue', async ({ tag, release }) => {
    const setup = spawnSync('bash', [join(tools, 'setup.sh'), tag], { encoding: 'utf8', env });
    expect(setup.status, setup.stderr).toBe(0);
    const work = tempDir('gen-acme-renewal-');
    const config = await mergedFactoryConfig(readExample('homelab-family'), tag, release, coreGit!);
    for (const lifetime of LIFETIMES) {
      const certificates = renewsAfter(config, tag, Math.floor((lifetime * 2) / 3), work);
      expect(certificates.length).toBeGreaterThan(0);
      for (const c of certificates) expect(c.renews, `${c.name} (renewInterval ${c.interval}) two thirds into a ${lifetime}-day certificate`).toBe(true);
    }
    // Let's Encrypt issues the same names at most five times a week: a daily renewal would be refused.
    for (const c of renewsAfter(config, tag, 7, work)) expect(c.renews, `${c.name} a week after its issue`).toBe(false);
  });
});

describe('what the docs say of the renewal', () => {
  // The firewall's verification script fails a certificate with fewer than DAYS days left: with the renewal
  // at ACME_RENEW_DAYS after the issue, that must mean a missed renewal even for the shortest certificate,
  // and the docs must state the renewal as it is (docs/verify.md said "30 days before expiry" after it moved).
  const script = readFileSync(join(root, 'out/home/verify/firewall-opnsense.sh'), 'utf8');
  const days = Number(/^DAYS=(\d+)$/m.exec(script)![1]);
  const shortest = Math.min(...LIFETIMES);

  it('the verify script\'s default --days fails only a certificate past its renewal', () => {
    expect(days).toBeLessThan(shortest - Number(ACME_RENEW_DAYS));
  });

  it('docs/verify.md and docs/opnsense.md say when the client renews', () => {
    const verify = readFileSync(join(root, 'docs/verify.md'), 'utf8');
    const row = verify.split('\n').find((l) => l.startsWith('| `--days N` |'))!;
    expect(row).toContain(`default ${days};`);
    expect(row).toContain(`renews a certificate ${ACME_RENEW_DAYS} days after it was issued`);
    expect(row).toContain(`a ${shortest}-day one, Let's Encrypt's shortest, has ${shortest - Number(ACME_RENEW_DAYS)} days left`);
    expect(readFileSync(join(root, 'docs/opnsense.md'), 'utf8')).toContain(`renewed ${ACME_RENEW_DAYS} days after it was issued`);
  });
});
