// aws/pgp-key: hashicorp/aws reads an access key's pgp_key only in Create,
// after CreateAccessKey (internal/service/iam/access_key.go), with Go's
// base64.StdEncoding and openpgp.ReadEntity (internal/vault/helper/pgpkeys/
// encrypt_decrypt.go, GetEntities): a value either refuses fails the apply
// with the user, its policy and the key made. Checked against GnuPG on a key
// it makes: what gpg --list-packets reads whole and begins with a public key
// packet passes, every cut-off copy of it is reported, and so is gpg's
// export of the secret key.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edit, lint, readExample } from '../helpers.js';
import { attempt, hasCommand } from '../system-tools.js';

const KEY = ['aws', 'iam', 'users', 0, 'access_key'];
const withKey = (pgpKey: string) => edit(readExample('homelab'), KEY, { pgp_key: pgpKey });
const reported = async (pgpKey: string) => (await lint(withKey(pgpKey))).filter((d) => d.rule === 'aws/pgp-key').map((d) => d.message);

it('keybase:USER is fetched at apply and not judged; an SSH key is no OpenPGP key', async () => {
  expect(await reported('keybase:backupadmin')).toEqual([]);
  const [ssh] = await reported('AAAAC3NzaC1lZDI1NTE5AAAAIGsqXbQnVb3z8hQF3kKJ2yq7mFQm3n0Cq4cD2P8s9vLr');
  expect(ssh).toMatch(/^IAM user proxmox-backup-user: pgp_key is no OpenPGP key/);
});

const gpg = hasCommand('gpg');
describe.skipIf(!gpg)(`against a key GnuPG makes${gpg ? '' : ' (not run: gpg is not installed)'}`, () => {
  const home = mkdtempSync(join(tmpdir(), 'gen-pgp-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const g = (args: string[]) => attempt('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args]);
  let pub: Buffer;
  let sec: Buffer;
  /** The packets gpg --list-packets reads in the bytes: tag, and where each ends. */
  const packets = (data: Buffer) => {
    const file = join(home, 'key.gpg');
    writeFileSync(file, data);
    const r = g(['--list-packets', file]);
    return [...r.stdout.matchAll(/^# off=(\d+) ctb=\w+ tag=(\d+) hlen=(\d+) plen=(\d+)/gm)].map((m) => ({ tag: Number(m[2]), end: Number(m[1]) + Number(m[3]) + Number(m[4]) }));
  };

  beforeAll(() => {
    expect(g(['--quick-gen-key', 'backup admin <backup@example.org>', 'future-default', 'default', 'never']).status).toBe(0);
    const exported = (command: string) => {
      const file = join(home, `${command}.gpg`);
      expect(g(['--output', file, command, 'backup@example.org']).status).toBe(0);
      return readFileSync(file);
    };
    pub = exported('--export');
    sec = exported('--export-secret-keys');
  });

  it('the exported public key passes', async () => {
    const read = packets(pub);
    expect(read[0]?.tag).toBe(6);
    expect(read.at(-1)?.end).toBe(pub.length);
    expect(await reported(pub.toString('base64'))).toEqual([]);
  });

  it('every copy cut off inside a packet (where gpg --list-packets finds none ending) is reported, one cut between packets is not', async () => {
    const ends = new Set(packets(pub).map((p) => p.end));
    expect(ends.size).toBeGreaterThan(2);
    // From 48 bytes on: shorter ones are under the 64 base64 characters the schema asks for.
    const lengths = Array.from({ length: Math.ceil((pub.length - 48) / 7) }, (_, i) => 48 + 7 * i).concat([...ends].filter((e) => e >= 48 && e < pub.length));
    for (const length of lengths) {
      const messages = await reported(pub.subarray(0, length).toString('base64'));
      if (ends.has(length)) expect(messages, `${length} of ${pub.length} bytes`).toEqual([]);
      else expect(messages, `${length} of ${pub.length} bytes`).toEqual([expect.stringMatching(/pgp_key is not a whole OpenPGP key: .*cut off/)]);
    }
  });

  it('base64 without its padding or a character short is reported (Go’s StdEncoding refuses it)', async () => {
    const text = pub.toString('base64');
    const unpadded = text.endsWith('=') ? text.replace(/=+$/, '') : text.slice(0, -1);
    expect(await reported(unpadded)).toEqual([expect.stringMatching(/pgp_key is not padded base64/)]);
  });

  it('the secret key is reported as one', async () => {
    expect(packets(sec)[0]?.tag).toBe(5);
    expect(await reported(sec.toString('base64'))).toEqual([expect.stringMatching(/pgp_key is a secret key/)]);
  });
});
