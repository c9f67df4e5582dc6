// ACME client (MVC //OPNsense/AcmeClient, os-acme-client) and the <cert>
// it renews. The certificate entry names the same refid (certRefId) that
// HAProxy uses, and the plugin updates that <cert> in place on renewal, so
// the link survives. DNS API credentials are secrets and stay out of the
// fragment: the operator enters them in the validation method.
import { type Area, uuidAttr, versionAttr } from './context.js';
import { haproxyUuids } from './haproxy.js';
import { dnsService } from '../../targets/opnsense/acme.js';
import { certificateRefid, uniqueId } from './ids.js';
import { type XmlElement, element, leaf } from './xml.js';

export const acmeArea: Area = {
  file: 'acme.xml',
  build(ctx) {
    const { certificates, frontends } = ctx.site.haproxy;
    if (certificates.length === 0) return [];
    const site = ctx.site.name;
    const accountUuid = ctx.uuid('acme-account', 'letsencrypt');
    const restartUuid = ctx.uuid('acme-action', 'restart-haproxy');
    const ids = haproxyUuids(ctx);
    const validations: XmlElement[] = [];
    const items: XmlElement[] = [];
    const certs: XmlElement[] = [];
    for (const cert of certificates) {
      const validationUuid = ctx.uuid('acme-validation', cert.name);
      const http = cert.challenge === 'http-01';
      // The challenge arrives on port 80, where the redirect frontend sends it
      // to HTTPS before any backend is chosen; Let's Encrypt follows that
      // redirect (ignoring the certificate), so the TLS frontend answers too.
      const users = frontends.filter((f) => f.certificates.includes(cert.name)).flatMap((f) => (f.httpRedirect ? [ids.redirectFrontend(f.name), ids.frontend(f.name)] : [ids.frontend(f.name)]));
      validations.push(
        element(
          'validation',
          [
            leaf('id', uniqueId(site, 'acme-validation', cert.name)),
            leaf('enabled', '1'),
            leaf('name', `${cert.name}_${http ? 'http01' : 'dns01'}`),
            leaf('description', `gen: validation for certificate ${cert.name}`),
            leaf('method', http ? 'http01' : 'dns01'),
            http ? leaf('http_service', 'haproxy') : undefined,
            http ? leaf('http_haproxyInject', '1') : undefined,
            http ? leaf('http_haproxyFrontends', users.join(',')) : undefined,
            http ? undefined : leaf('dns_service', dnsService(cert.dnsProvider)),
            http ? undefined : leaf('dns_sleep', '0'),
          ],
          uuidAttr(validationUuid),
        ),
      );
      const refid = certificateRefid(site, cert.name);
      items.push(
        element(
          'certificate',
          [
            leaf('id', uniqueId(site, 'acme-certificate', cert.name)),
            leaf('enabled', '1'),
            leaf('name', cert.domain),
            leaf('description', cert.description ?? `gen: certificate ${cert.name}`),
            leaf('altNames', cert.altNames.join(',')),
            leaf('account', accountUuid),
            leaf('validationMethod', validationUuid),
            leaf('keyLength', 'key_ec256'),
            leaf('restartActions', restartUuid),
            leaf('autoRenewal', '1'),
            leaf('renewInterval', '60'),
            leaf('certRefId', refid),
          ],
          uuidAttr(ctx.uuid('acme-certificate', cert.name)),
        ),
      );
      // Placeholder until the first issuance; the plugin fills crt/prv in place.
      certs.push(
        element(
          'cert',
          [leaf('refid', refid), leaf('descr', `${cert.domain} (ACME Client)`), leaf('caref', ''), leaf('crt', ''), leaf('prv', '')],
          uuidAttr(ctx.uuid('cert', cert.name)),
        ),
      );
    }
    return [
      element('OPNsense', [
        element(
          'AcmeClient',
          [
            element('settings', [leaf('enabled', '1'), leaf('autoRenewal', '1'), leaf('environment', 'prod'), leaf('haproxyIntegration', '1')]),
            element('accounts', [
              element(
                'account',
                [
                  leaf('id', uniqueId(site, 'acme-account', 'letsencrypt')),
                  leaf('enabled', '1'),
                  leaf('name', 'letsencrypt'),
                  leaf('description', `gen: ACME account of site ${site}`),
                  leaf('ca', 'letsencrypt'),
                ],
                uuidAttr(accountUuid),
              ),
            ]),
            element('certificates', items),
            element('validations', validations),
            element('actions', [
              element(
                'action',
                [
                  leaf('id', uniqueId(site, 'acme-action', 'restart-haproxy')),
                  leaf('enabled', '1'),
                  leaf('name', 'restart_haproxy'),
                  leaf('description', 'gen: reload HAProxy after renewal'),
                  leaf('type', 'restart_haproxy'),
                ],
                uuidAttr(restartUuid),
              ),
            ]),
          ],
          versionAttr(ctx.version('acme')),
        ),
      ]),
      ...certs,
    ];
  },
};
