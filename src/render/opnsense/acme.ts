// ACME client (MVC //OPNsense/AcmeClient, os-acme-client), its daily
// renewal job (//OPNsense/cron) and the <cert> it renews. The certificate
// entry names the same refid (certRefId) that HAProxy uses, and the plugin
// updates that <cert> in place on renewal, so the link survives. DNS API credentials are secrets and stay out of the
// fragment: the operator enters them in the validation method.
import { acmeChallengeFrontends, frontendsServing } from '../../resolve/haproxy.js';
import { ACME_CHALLENGE_PORT, ACME_RENEWAL_JOB, ACME_RENEW_DAYS, altNamesValue, dnsService, validationName } from '../../targets/opnsense/acme.js';
import { type Area } from './context.js';
import { modelItem, modelSection } from './fields.js';
import { haproxyUuids } from './haproxy.js';
import { certificateRefid, uniqueId } from './ids.js';
import type { XmlElement } from './xml.js';

export const acmeArea: Area = {
  file: 'acme.xml',
  build(ctx) {
    const { certificates } = ctx.site.haproxy;
    if (certificates.length === 0) return [];
    const site = ctx.site.name;
    const accountUuid = ctx.uuid('acme-account', 'letsencrypt');
    const restartUuid = ctx.uuid('acme-action', 'restart-haproxy');
    const ids = haproxyUuids(ctx);
    const validations: XmlElement[] = [];
    const items: XmlElement[] = [];
    const certs: XmlElement[] = [];
    const servedBy = frontendsServing(ctx.site.haproxy);
    const challenged = acmeChallengeFrontends(ctx.site.haproxy).length > 0;
    for (const cert of certificates) {
      const validationUuid = ctx.uuid('acme-validation', cert.name);
      const http = cert.challenge === 'http-01';
      // The challenge arrives on port 80, where the redirect frontend hands it
      // to the ACME client instead of redirecting it (render/opnsense/haproxy.ts);
      // the TLS frontend does the same for a client that followed a redirect.
      const users = (servedBy.get(cert.name) ?? []).flatMap((f) => (f.httpRedirect ? [ids.redirectFrontend(f.name), ids.frontend(f.name)] : [ids.frontend(f.name)]));
      validations.push(
        modelItem(ctx, 'acme', 'validations.validation', validationUuid, {
          id: uniqueId(site, 'acme-validation', cert.name),
          enabled: '1',
          name: validationName(cert.name, cert.challenge),
          description: `gen: validation for certificate ${cert.name}`,
          method: http ? 'http01' : 'dns01',
          ...(http ? { http_service: 'haproxy', http_haproxyInject: '1', http_haproxyFrontends: users.join(',') } : { dns_service: dnsService(cert.dnsProvider), dns_sleep: '0' }),
        }),
      );
      const refid = certificateRefid(site, cert.name);
      items.push(
        modelItem(ctx, 'acme', 'certificates.certificate', ctx.uuid('acme-certificate', cert.name), {
          id: uniqueId(site, 'acme-certificate', cert.name),
          enabled: '1',
          name: cert.domain,
          description: cert.description ?? `gen: certificate ${cert.name}`,
          // As the model keeps them (lowercased): a GUI save would lowercase gen's.
          altNames: altNamesValue(cert.altNames),
          account: accountUuid,
          validationMethod: validationUuid,
          keyLength: 'key_ec256',
          restartActions: restartUuid,
          autoRenewal: '1',
          renewInterval: ACME_RENEW_DAYS,
          certRefId: refid,
        }),
      );
      // Placeholder until the first issuance; the plugin fills crt/prv in place.
      certs.push(modelItem(ctx, 'cert', 'cert', ctx.uuid('cert', cert.name), { refid, descr: `${cert.domain} (ACME Client)`, caref: '', crt: '', prv: '' }));
    }
    const account = modelItem(ctx, 'acme', 'accounts.account', accountUuid, {
      id: uniqueId(site, 'acme-account', 'letsencrypt'),
      enabled: '1',
      name: 'letsencrypt',
      description: `gen: ACME account of site ${site}`,
      ca: 'letsencrypt',
    });
    // The ACME client runs an automation by its type's class name
    // (LeAutomationFactory): configd_restart_haproxy restarts HAProxy with the
    // renewed certificate. The pre-3.1 name restart_haproxy is no option of
    // the 4.x models and would only be logged as "automation not supported".
    const restart = modelItem(ctx, 'acme', 'actions.action', restartUuid, {
      id: uniqueId(site, 'acme-action', 'restart-haproxy'),
      enabled: '1',
      name: 'restart_haproxy',
      description: 'gen: reload HAProxy after renewal',
      type: 'configd_restart_haproxy',
    });
    // The plugin's renewal job, which it would make only when its settings are applied (never on a restore or a
    // boot): written here and named in UpdateCron, an Apply finds it and makes no second one. Only the fields the
    // plugin sets are gen's; the schedule is the model's default (00:00), so a box's own schedule survives a merge.
    const cronUuid = ctx.uuid('cron-job', 'acme-renewal');
    const cron = modelItem(ctx, 'cron', 'jobs.job', cronUuid, ACME_RENEWAL_JOB);
    return [
      ...modelSection(ctx, 'acme', {
        settings: {
          enabled: '1',
          autoRenewal: '1',
          UpdateCron: cronUuid,
          environment: 'prod',
          challengePort: ACME_CHALLENGE_PORT,
          // gen writes the HAProxy items of HTTP-01 itself; naming them here tells the plugin its integration is complete.
          ...(challenged
            ? { haproxyIntegration: '1', haproxyAclRef: ids.acmeAcl(), haproxyActionRef: ids.acmeAction(), haproxyServerRef: ids.acmeServer(), haproxyBackendRef: ids.acmeBackend() }
            : { haproxyIntegration: '0' }),
        },
        accounts: { account: [account] },
        certificates: { certificate: items },
        validations: { validation: validations },
        actions: { action: [restart] },
      }),
      ...modelSection(ctx, 'cron', { jobs: { job: [cron] } }),
      ...modelSection(ctx, 'cert', { cert: certs }),
    ];
  },
};
