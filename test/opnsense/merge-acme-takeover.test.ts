// An ACME certificate and account of the box's own with the names of gen's:
// gen's take them over, and the certificate the box's issued stays in
// HAProxy and goes on being renewed, with the account it registered. The
// ACME client keeps a certificate's and an account's acme.sh files under
// their id and updates the <cert> a certificate's certRefId names in place
// (os-acme-client LeCertificate, LeAccount, plugins 26.7.2); the state the
// box's items carry (lastUpdate, statusCode, an account's key) belongs to
// those.
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { edit, modelOf, readExample } from '../helpers.js';
import { factorySample, parse } from './support.js';

const BOX_UUID = '66666666-7777-4888-8999-000000000000';
const BOX_ID = 'bbbbbbbbbbbbb2.22222222';
const BOX_REFID = '60aaaaaaaaaaa';
const ISSUED = 1764000000;
const BOX_ACCOUNT_ID = 'aaaaaaaaaaaaa1.11111111';
const BOX_CERT = `<cert uuid="12345678-1234-4234-8234-123456789012"><refid>${BOX_REFID}</refid><descr>*.example.com (ACME Client)</descr><crt>SVNTVUVE</crt><prv>SVNTVUVE</prv></cert>`;

/** The 26.7 factory config with the box's own ACME certificate for *.example.com (scenario A's), issued, with its <cert> when `withCert`. */
function base(keyLength: string, withCert = true, altNames = ''): string {
  const acme =
    '<AcmeClient version="4.4.0"><accounts><account uuid="11111111-2222-4333-8444-555555555555">' +
    `<id>${BOX_ACCOUNT_ID}</id><enabled>1</enabled><name>letsencrypt</name><ca>letsencrypt</ca><key>S0VZ</key><statusCode>200</statusCode><statusLastUpdate>1700000000</statusLastUpdate></account></accounts>` +
    `<certificates><certificate uuid="${BOX_UUID}"><id>${BOX_ID}</id><enabled>1</enabled><name>*.example.com</name><altNames>${altNames}</altNames>` +
    `<keyLength>${keyLength}</keyLength><certRefId>${BOX_REFID}</certRefId><lastUpdate>${ISSUED}</lastUpdate><statusCode>200</statusCode></certificate></certificates></AcmeClient>`;
  const sample = factorySample('26.7').replace('  <OPNsense>\n', `  <OPNsense>\n    ${acme}\n`);
  return withCert ? sample.replace('</opnsense>', `  ${BOX_CERT}\n</opnsense>`) : sample;
}

describe("gen's ACME certificate taking over the box's of the same name", async () => {
  const pair = generateKeyPair();
  const topology = edit(readExample('homelab'), ['sites', 0, 'wireguard', 0, 'public_key'], pair.publicKey);
  const sectionsOf = async (text: string) => {
    const model = await modelOf(text);
    return siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
  };
  const sections = await sectionsOf(topology);
  const merge = (xml: string, with_ = sections, warnings: string[] = []) =>
    mergeConfig(xml, with_, { secret: () => pair.privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true, warn: (m) => warnings.push(m) });
  const withAltNames = (names: string[]) => sectionsOf(edit(topology, ['sites', 0, 'haproxy', 'certificates', 0, 'alt_names'], names));
  const read = (merged: string) => {
    const x = parse(merged).opnsense;
    const client = x.OPNsense.AcmeClient;
    return { account: [client.accounts.account].flat()[0], acme: [client.certificates.certificate].flat()[0], certs: [x.cert].flat(), https: [x.OPNsense.HAProxy.frontends.frontend].flat().find((f: { name: string }) => f.name === 'https') };
  };

  it('keeps its id and the certificate it issued, which HAProxy serves, and the account its id; a changed key type has the client issue anew', () => {
    const merged = merge(base('key_4096'));
    const { account, acme, certs, https } = read(merged);
    // Registered, as the box's fields say (LeAccount::isRegistered()): acme.sh's account.conf is under <id>_<ca>.
    expect([account['@uuid'], account.id, account.statusCode, account.key]).toEqual(['11111111-2222-4333-8444-555555555555', BOX_ACCOUNT_ID, '200', 'S0VZ']);
    expect(acme.account).toBe(account['@uuid']);
    expect(acme['@uuid']).toBe(BOX_UUID);
    // acme.sh's files of the issued certificate are under this id: needsRenewal() reads its start of validity there.
    expect(acme.id).toBe(BOX_ID);
    expect(acme.certRefId).toBe(BOX_REFID);
    expect([https.ssl_certificates, https.ssl_default_certificate]).toEqual([BOX_REFID, BOX_REFID]);
    // The box's certificate as it was, and no stand-in beside it.
    expect(merged).toContain(BOX_CERT);
    expect(certs.map((c: { refid: string }) => c.refid)).toEqual([BOX_REFID]);
    // RSA before, EC now: acme.sh --renew --ecc finds no EC certificate of the name; an empty lastUpdate makes it --issue.
    expect(acme.keyLength).toBe('key_ec256');
    expect(acme.lastUpdate).toBe('');
    expect(acme.statusCode).toBe('200');
    expect(merge(merged)).toBe(merged);
  });

  it('of the same key type, renews it when it is due (lastUpdate kept)', () => {
    const { acme, https } = read(merge(base('key_ec256')));
    expect([acme.id, acme.certRefId, https.ssl_certificates, String(acme.lastUpdate)]).toEqual([BOX_ID, BOX_REFID, BOX_REFID, String(ISSUED)]);
  });

  // LeCertificate::issue() (plugins 25.7.11 to 26.7.2) runs acme.sh --renew whenever lastUpdate is set, with
  // --domain for name and each altName; acme.sh's renew() (3.1.x) loads the certificate's <name>.conf and issues
  // for its saved Le_Alt instead, so a renewal would keep the names the box issued. --issue compares the names
  // it is given with the saved ones (sorted) and issues anew when they differ.
  it('with fewer names (altNames), has the client issue anew for them instead of renewing the old ones', () => {
    const warnings: string[] = [];
    const { acme, https } = read(merge(base('key_ec256', true, 'example.com'), sections, warnings));
    expect([acme.id, acme.certRefId, https.ssl_certificates]).toEqual([BOX_ID, BOX_REFID, BOX_REFID]);
    expect(acme.altNames).toBe('');
    expect(acme.lastUpdate).toBe('');
    // The certificate HAProxy serves until then covers every name gen routes.
    expect(warnings.filter((w) => w.includes('ACME certificate'))).toEqual([]);
  });

  it('with more names, has the client issue anew and says that the issued certificate lacks them until then', async () => {
    const warnings: string[] = [];
    const merged = merge(base('key_ec256', true, 'example.com'), await withAltNames(['example.com', 'www.example.com']), warnings);
    const { acme } = read(merged);
    expect([acme.altNames, acme.lastUpdate]).toEqual(['example.com,www.example.com', '']);
    expect(warnings.filter((w) => w.includes('ACME certificate'))).toEqual([
      "the box's own ACME certificate *.example.com (names: *.example.com, example.com) has the name of one of gen's, which adds www.example.com: merge takes it over, " +
        'and the ACME client issues it for the new names only when it is due (30 days after its last issue): until then HAProxy serves it without them, ' +
        'and clients of those names get a certificate error; issue it on the box once the merged config is restored (Services > ACME Client > Certificates, Issue/Renew)',
    ]);
    // Merged again, before the client has issued: the names agree, lastUpdate stays empty and the warning is not repeated.
    const again: string[] = [];
    expect(merge(merged, await withAltNames(['example.com', 'www.example.com']), again)).toBe(merged);
    expect(again.filter((w) => w.includes('ACME certificate'))).toEqual([]);
    // Without the box's <cert>, HAProxy serves gen's stand-in for every name until the client issues: nothing to say.
    const gone: string[] = [];
    expect(read(merge(base('key_ec256', false, 'example.com'), await withAltNames(['example.com', 'www.example.com']), gone)).acme.lastUpdate).toBe('');
    expect(gone.filter((w) => w.includes('ACME certificate'))).toEqual([]);
  });

  it('with the same names in another order, renews them (acme.sh compares them sorted)', async () => {
    const warnings: string[] = [];
    const { acme } = read(merge(base('key_ec256', true, 'example.com,www.example.com'), await withAltNames(['www.example.com', 'example.com']), warnings));
    expect([acme.altNames, String(acme.lastUpdate)]).toEqual(['www.example.com,example.com', String(ISSUED)]);
    expect(warnings.filter((w) => w.includes('ACME certificate'))).toEqual([]);
  });

  // AcmeClient.xml (plugins 25.7.11 to 26.7.2) keeps altNames lowercased (ChangeCase lower), so a box saved in the GUI
  // holds gen's names in lower case; DNS names have none.
  it('with the same names in other letter case, renews them, and writes its own as the model keeps them', async () => {
    const warnings: string[] = [];
    const { acme } = read(merge(base('key_ec256', true, 'Example.COM,www.example.com'), await withAltNames(['www.Example.com', 'EXAMPLE.com']), warnings));
    expect([acme.altNames, String(acme.lastUpdate)]).toEqual(['www.example.com,example.com', String(ISSUED)]);
    expect(warnings.filter((w) => w.includes('ACME certificate'))).toEqual([]);
  });

  it("whose certificate is gone from the box: gen's refid, with its stand-in, which the client fills when it issues", () => {
    const { acme, certs, https } = read(merge(base('key_ec256', false)));
    expect(acme.id).toBe(BOX_ID);
    expect(acme.certRefId).not.toBe(BOX_REFID);
    expect(https.ssl_certificates).toBe(acme.certRefId);
    expect(certs.map((c: { refid: string }) => c.refid)).toEqual([acme.certRefId]);
  });
});
