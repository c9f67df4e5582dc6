// HAProxy on the firewall: frontends bound to an interface, routing host
// names to backends (by the Host header, or by SNI when TLS passes
// through); backends whose servers are services (address and port taken
// from the service), spoken to in plain HTTP or TLS, with a health check;
// certificates whose names come from the host names that use them, as one
// certificate or one per name.
import type { Path } from '../location.js';
import type { FirewallInterface, Haproxy, HaproxyBackend, HaproxyCertificate, HaproxyFrontend, Service } from '../model.js';
import type { HaproxyInput } from '../topology.js';
import { type ResolveContext, indexByName } from './context.js';
import { addToList, appendAll } from '../arrays.js';
import { dnsService, dnsServiceDialog, dnsServiceFields, renewalJobTime, validationName } from '../targets/opnsense/acme.js';
import { releaseFacts } from '../targets/opnsense/releases.js';

type BackendInput = NonNullable<HaproxyInput['backends']>[number];

/** `check: http /status.php`, `check: tcp`, `check: none`; health_check: false means none. */
function healthCheck(input: BackendInput, path: Path, ctx: ResolveContext): HaproxyBackend['check'] {
  if (input.check === undefined) return { type: input.health_check === false ? 'none' : 'tcp' };
  // The path goes into haproxy.conf as one word: nothing that ends it (space, #) or quotes it.
  const match = /^(none|tcp|http)(?: +(\/[A-Za-z0-9._~%/?=&+-]*))?$/.exec(input.check.trim());
  if (!match || (match[1] !== 'http' && match[2] !== undefined)) {
    ctx.report({ rule: 'schema', path: path.concat('check'), message: `"${input.check}" is not a health check: write none, tcp, or http with a path (http /status.php)` });
    return { type: 'tcp' };
  }
  return match[1] === 'http' ? { type: 'http', path: match[2] ?? '/' } : { type: match[1] as 'none' | 'tcp' };
}

export function resolveHaproxy(
  input: HaproxyInput | undefined,
  site: string,
  path: Path,
  ctx: ResolveContext,
  services: ReadonlyMap<string, Service>,
  interfaces: ReadonlyMap<string, FirewallInterface>,
): Haproxy {
  const certInputs = input?.certificates ?? [];
  certInputs.forEach((cert, i) => ctx.name('certificate', `site ${site}`, cert.name, path.concat('certificates', i)));
  const certIndex = indexByName(certInputs);

  const backends: HaproxyBackend[] = (input?.backends ?? []).map((backend, i) => {
    const bpath = path.concat('backends', i);
    ctx.name('HAProxy backend', `site ${site}`, backend.name, bpath);
    const servers = backend.servers.flatMap((server, s) => {
      const spath = bpath.concat('servers', s);
      if (server.service !== undefined) {
        const service = ctx.lookup(services, server.service, 'service', spath.concat('service'));
        if (!service) return [];
        const port = server.port ?? service.port;
        if (port === undefined) {
          ctx.report({
            rule: 'haproxy/server-port',
            path: spath,
            message: `server ${service.name} has no port: give the service a port or the server one`,
            hint: `Set port on service ${service.name} (the port it serves on), or on this server of backend ${backend.name}.`,
          });
          return [];
        }
        return [{ name: server.name ?? service.name, address: server.address ?? service.address, port, service: service.name, path: spath }];
      }
      if (server.address === undefined || server.port === undefined || server.name === undefined) {
        const missing = (['name', 'address', 'port'] as const).filter((key) => server[key] === undefined);
        ctx.report({
          rule: 'haproxy/server-port',
          path: spath,
          message: 'a server needs a service, or a name, an address and a port',
          hint: `Add ${missing.join(' and ')} to the server, or name the service it is (service:).`,
        });
        return [];
      }
      ctx.ipv4(server.address, spath.concat('address'));
      return [{ name: server.name, address: server.address, port: server.port, path: spath }];
    });
    return {
      name: backend.name,
      algorithm: backend.algorithm ?? 'roundrobin',
      sticky: backend.sticky ?? 'none',
      mode: 'http' as const,
      check: healthCheck(backend, bpath, ctx),
      tls: backend.tls ? { verify: backend.verify ?? 'ca', ca: backend.ca, sni: backend.sni } : undefined,
      description: backend.description,
      servers,
      path: bpath,
    };
  });
  const backendIndex = indexByName(backends);

  const frontends: HaproxyFrontend[] = (input?.frontends ?? []).map((frontend, i) => {
    const fpath = path.concat('frontends', i);
    ctx.name('HAProxy frontend', `site ${site}`, frontend.name, fpath);
    const [address = '', portText = '0'] = frontend.bind.split(':');
    ctx.ipv4(address, fpath.concat('bind'));
    const port = Number(portText);
    if (!(port >= 1 && port <= 65535)) ctx.report({ rule: 'ip/invalid', path: fpath.concat('bind'), message: `"${frontend.bind}": port ${portText} is not 1-65535` });
    const iface = frontend.interface ?? 'wan';
    ctx.lookup(interfaces, iface, 'interface', fpath.concat(frontend.interface ? 'interface' : 'name'));
    if (frontend.default_backend !== undefined) ctx.lookup(backendIndex, frontend.default_backend, 'backend', fpath.concat('default_backend'));
    else if (!frontend.hosts?.length) ctx.report({ rule: 'schema', path: fpath, key: true, message: `frontend ${frontend.name} needs a default_backend or hosts` });
    if (frontend.certificate !== undefined) ctx.lookup(certIndex, frontend.certificate, 'certificate', fpath.concat('certificate'));
    const hosts = (frontend.hosts ?? []).flatMap((host, h) => {
      const hpath = fpath.concat('hosts', h);
      ctx.name('HAProxy host', `frontend ${frontend.name}`, host.name, hpath, site);
      return ctx.lookup(backendIndex, host.backend, 'backend', hpath.concat('backend')) ? [{ name: host.name, backend: host.backend, description: host.description, path: hpath }] : [];
    });
    return {
      name: frontend.name,
      address,
      port,
      interface: iface,
      certificates: [],
      passthrough: frontend.passthrough ?? false,
      httpRedirect: frontend.http_redirect ?? false,
      splitDns: frontend.split_dns ?? true,
      from: frontend.from,
      // Filled with the policy (resolve/forward-sources.ts).
      sources: [],
      defaultBackend: frontend.default_backend,
      hosts,
      description: frontend.description,
      path: fpath,
    };
  });

  // Backends of a passthrough frontend speak TCP.
  for (const frontend of frontends.filter((f) => f.passthrough)) {
    for (const name of [frontend.defaultBackend, ...frontend.hosts.map((h) => h.backend)]) {
      const backend = name === undefined ? undefined : backendIndex.get(name);
      if (backend) backend.mode = 'tcp';
    }
  }
  // An HTTP health check asks for the first host name routed to the backend
  // (found in one pass: a search per backend made backends × host names).
  // Not a wildcard: "*.pics.example.org" is no Host a client sends, and the
  // health check's http_host refuses "*" (HAProxy.xml's mask).
  const firstHost = new Map<string, string>();
  for (const frontend of frontends) for (const h of frontend.hosts) if (!h.name.includes('*') && !firstHost.has(h.backend)) firstHost.set(h.backend, h.name);
  for (const backend of backends) {
    if (backend.check.type !== 'http') continue;
    const host = firstHost.get(backend.name);
    if (host !== undefined) backend.check.host = host;
  }

  // The frontends that use each certificate, in their order.
  const usersOf = new Map<string, HaproxyFrontend[]>();
  frontends.forEach((frontend, f) => {
    const name = input!.frontends![f]!.certificate;
    if (name !== undefined) addToList(usersOf, name, frontend);
  });
  const certificates: HaproxyCertificate[] = certInputs.flatMap((cert, i) => {
    const cpath = path.concat('certificates', i);
    const users = usersOf.get(cert.name) ?? [];
    const hostNames = [...new Set(users.flatMap((f) => f.hosts.map((h) => h.name)))];
    const names = cert.domain !== undefined ? [cert.domain, ...(cert.alt_names ?? [])] : hostNames;
    if (names.length === 0) {
      ctx.report({ rule: 'schema', path: cpath, key: true, message: `certificate ${cert.name} needs a domain, or a frontend with hosts that uses it` });
      return [];
    }
    const base = { challenge: cert.challenge ?? ('dns-01' as const), dnsProvider: cert.dns_provider, description: cert.description, path: cpath };
    const made: HaproxyCertificate[] = cert.per_host
      ? names.map((name) => Object.assign({}, base, { name: `${cert.name}-${name}`, domain: name, altNames: [] }))
      : [Object.assign({}, base, { name: cert.name, domain: names[0]!, altNames: [...new Set(names.slice(1))] })];
    for (const frontend of users) appendAll(frontend.certificates, made.map((c) => c.name));
    return made;
  });

  return { certificates, frontends, backends };
}

/**
 * The frontends that serve each certificate (by the certificate names on
 * the frontends), in frontend order, each once: made once per site for the
 * ACME section and the HTTP-01 rule, where a search per certificate made
 * certificates × frontends.
 */
const served = new WeakMap<Haproxy, Map<string, HaproxyFrontend[]>>();
export function frontendsServing(haproxy: Haproxy): ReadonlyMap<string, readonly HaproxyFrontend[]> {
  let byCertificate = served.get(haproxy);
  if (!byCertificate) {
    byCertificate = new Map();
    for (const f of haproxy.frontends) for (const name of new Set(f.certificates)) addToList(byCertificate, name, f);
    served.set(haproxy, byCertificate);
  }
  return byCertificate;
}

/**
 * The frontends through which Let's Encrypt asks for an HTTP-01 challenge
 * of a certificate: each frontend serving one (its port-80 redirect
 * frontend, where the request arrives, goes with it). Empty when no
 * certificate uses HTTP-01.
 */
export function acmeChallengeFrontends(haproxy: Haproxy): HaproxyFrontend[] {
  const served = frontendsServing(haproxy);
  const frontends = haproxy.certificates.filter((c) => c.challenge === 'http-01').flatMap((c) => served.get(c.name) ?? []);
  return [...new Set(frontends)];
}

/** Whether a certificate name (possibly a wildcard "*.example.org") covers a host name. */
export function certificateCovers(name: string, host: string): boolean {
  const a = name.toLowerCase();
  const b = host.toLowerCase();
  if (a === b) return true;
  if (!a.startsWith('*.')) return false;
  const rest = b.indexOf('.');
  return rest > 0 && b.slice(rest + 1) === a.slice(2);
}

/**
 * The operator's steps that make the ACME client issue and renew. First,
 * for DNS-01, the DNS provider's API credentials: gen writes the challenge
 * type with its DNS service but leaves the credential fields empty (no
 * secret is in the topology or out/), and acme.sh cannot publish the
 * challenge's TXT record without them. One step per DNS service, naming
 * the challenge types that use it and that service's fields as the
 * release's Challenge Types dialog labels them. Then the first issuance:
 * by hand, or by the plugin's daily renewal job, which gen writes (the
 * plugin would make it only when its settings are applied) and which also
 * issues a certificate never issued (lecert.php --mode issue --all --cron).
 */
export function acmeSteps(haproxy: Haproxy, release: string): string[] {
  if (haproxy.certificates.length === 0) return [];
  const acme = releaseFacts(release)?.fields('acme');
  const byService = new Map<string, HaproxyCertificate[]>();
  for (const cert of haproxy.certificates) {
    const service = cert.challenge === 'dns-01' ? dnsService(cert.dnsProvider) : undefined;
    if (service !== undefined) addToList(byService, service, cert);
  }
  const credentials = [...byService].map(([service, certs]) => {
    const { label, fields } = dnsServiceFields(acme, service);
    const sections = dnsServiceDialog(acme, service);
    const types = certs.map((c) => validationName(c.name, c.challenge));
    const which = `${types.length === 1 ? `challenge type ${types[0]}` : `each of the challenge types ${types.join(', ')}`} (DNS Service ${label ? `${label}, ${service}` : service}; for ${certs.length === 1 ? `certificate ${certs[0]!.name}` : `certificates ${certs.map((c) => c.name).join(', ')}`})`;
    // The dialog's own words where the release's form is known; else the model's field names.
    const groups = sections.filter(([, labels]) => labels.length > 0);
    const into =
      groups.length > 0
        ? `of the fields the dialog shows under ${sections[0]![0]}, those that its API access needs (${
            groups.length === 1 ? groups[0]![1].join(', ') : groups.map(([header, labels]) => `“${header}”: ${labels.join(', ')}`).join('; ')
          })`
        : fields.length
          ? `those of the service's fields that its API access needs (in the ACME client's model: ${fields.join(', ')})`
          : 'the fields the dialog shows for that DNS service';
    return (
      `On the firewall, once the configuration is restored and before any certificate is issued: Services › ACME Client › Challenge Types, edit ${which} ` +
      `and enter the DNS provider's API credentials, which gen leaves empty (no secret is in the topology or its output): ${into}; Save. ` +
      "Without them the DNS-01 challenge fails, no certificate is issued, and HAProxy keeps serving its self-signed stand-in."
    );
  });
  const time = renewalJobTime(releaseFacts(release)?.fields('cron'));
  return [
    ...credentials,
    'On the firewall, once the configuration is restored: Services › ACME Client › Certificates: issue each certificate once (Issue/Renew), ' +
      `or wait for the ACME client's daily renewal job (System › Settings › Cron${time ? `, at ${time} firewall time` : ''}), which issues each certificate not issued yet and renews the others. ` +
      'Until a certificate is issued, HAProxy serves its self-signed stand-in.',
  ];
}
