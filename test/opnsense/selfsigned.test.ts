// The self-signed stand-in that lets HAProxy start before the first ACME
// issuance: a real X.509 certificate (read back by OpenSSL through Node and
// by the openssl command), its key pair made at test time.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { missing, titled } from '../system-tools.js';

describe('self-signed stand-in certificate', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const { certificatePem, privateKeyPem } = selfSignedCertificate(['*.example.com', 'example.com'], now);
  const cert = new X509Certificate(certificatePem);

  it('names the domain and its alternative names, valid from a day before for 90 days', () => {
    expect(cert.subject).toBe('CN=*.example.com');
    expect(cert.issuer).toBe('CN=*.example.com');
    expect(cert.subjectAltName).toBe('DNS:*.example.com, DNS:example.com');
    expect(new Date(cert.validFrom).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2026-05-30T12:00:00.000Z');
  });

  it('is signed by its own key, which is the PKCS#8 key returned', () => {
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(privateKeyPem))).toBe(true);
    expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(cert.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
  });

  it('is a TLS server certificate as OPNsense 26.7 classifies one (cert_type server_cert): key usage and serverAuth', () => {
    // Trust\Store::extractPurpose wants extended key usage "TLS Web Server Authentication" and
    // key usage Digital Signature with Key Encipherment or Key Agreement.
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.ca).toBe(false);
  });

  it('makes a new key pair and serial each time', () => {
    const other = selfSignedCertificate(['*.example.com'], now);
    expect(other.privateKeyPem).not.toBe(privateKeyPem);
    expect(new X509Certificate(other.certificatePem).serialNumber).not.toBe(cert.serialNumber);
  });

  it('writes GeneralizedTime after 2049', () => {
    const late = new X509Certificate(selfSignedCertificate(['a.example.com'], new Date('2060-01-01T00:00:00Z')).certificatePem);
    expect(new Date(late.validTo).toISOString()).toBe('2060-03-31T00:00:00.000Z');
  });

  const dir = mkdtempSync(join(tmpdir(), 'gen-selfsigned-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const opensslMissing = missing(['openssl'], false);
  it.skipIf(opensslMissing)(titled('passes openssl verify as its own trust anchor, for the TLS server purpose', opensslMissing), () => {
    const file = join(dir, 'cert.pem');
    writeFileSync(file, certificatePem);
    const at = String(Math.floor(now.getTime() / 1000));
    expect(execFileSync('openssl', ['verify', '-attime', at, '-purpose', 'sslserver', '-CAfile', file, file], { encoding: 'utf8' })).toBe(`${file}: OK\n`);
    const text = execFileSync('openssl', ['x509', '-in', file, '-noout', '-ext', 'keyUsage,extendedKeyUsage'], { encoding: 'utf8' });
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Agreement\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
  });
});
