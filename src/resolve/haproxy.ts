// HAProxy on the firewall: frontends bound to an interface, backends whose
// servers are services (address and port taken from the service).
import type { Path } from '../location.js';
import type { FirewallInterface, Haproxy, Service } from '../model.js';
import type { HaproxyInput } from '../topology.js';
import { type ResolveContext, indexByName } from './context.js';

export function resolveHaproxy(
  input: HaproxyInput | undefined,
  site: string,
  path: Path,
  ctx: ResolveContext,
  services: ReadonlyMap<string, Service>,
  interfaces: ReadonlyMap<string, FirewallInterface>,
): Haproxy {
  const certificates = (input?.certificates ?? []).map((cert, i) => {
    const cpath = [...path, 'certificates', i];
    ctx.name('certificate', `site ${site}`, cert.name, cpath);
    return {
      name: cert.name,
      domain: cert.domain,
      altNames: cert.alt_names ?? [],
      challenge: cert.challenge ?? ('dns-01' as const),
      dnsProvider: cert.dns_provider,
      description: cert.description,
      path: cpath,
    };
  });
  const certIndex = indexByName(certificates);
  const backends = (input?.backends ?? []).map((backend, i) => {
    const bpath = [...path, 'backends', i];
    ctx.name('HAProxy backend', `site ${site}`, backend.name, bpath);
    const servers = backend.servers.flatMap((server, s) => {
      const spath = [...bpath, 'servers', s];
      if (server.service !== undefined) {
        const service = ctx.lookup(services, server.service, 'service', [...spath, 'service']);
        if (!service) return [];
        const port = server.port ?? service.port;
        if (port === undefined) {
          ctx.report({ rule: 'haproxy/server-port', path: spath, message: `server ${service.name} has no port: give the service a port or the server one` });
          return [];
        }
        return [{ name: server.name ?? service.name, address: server.address ?? service.address, port, service: service.name, path: spath }];
      }
      if (server.address === undefined || server.port === undefined || server.name === undefined) {
        ctx.report({ rule: 'haproxy/server-port', path: spath, message: 'a server needs a service, or a name, an address and a port' });
        return [];
      }
      ctx.ipv4(server.address, [...spath, 'address']);
      return [{ name: server.name, address: server.address, port: server.port, path: spath }];
    });
    return {
      name: backend.name,
      algorithm: backend.algorithm ?? 'roundrobin',
      healthCheck: backend.health_check ?? true,
      description: backend.description,
      servers,
      path: bpath,
    };
  });
  const backendIndex = indexByName(backends);
  const frontends = (input?.frontends ?? []).map((frontend, i) => {
    const fpath = [...path, 'frontends', i];
    ctx.name('HAProxy frontend', `site ${site}`, frontend.name, fpath);
    const [address = '', portText = '0'] = frontend.bind.split(':');
    ctx.ipv4(address, [...fpath, 'bind']);
    const port = Number(portText);
    if (!(port >= 1 && port <= 65535)) ctx.report({ rule: 'ip/invalid', path: [...fpath, 'bind'], message: `"${frontend.bind}": port ${portText} is not 1-65535` });
    const iface = frontend.interface ?? 'wan';
    ctx.lookup(interfaces, iface, 'interface', [...fpath, frontend.interface ? 'interface' : 'name']);
    ctx.lookup(backendIndex, frontend.default_backend, 'backend', [...fpath, 'default_backend']);
    if (frontend.certificate !== undefined) ctx.lookup(certIndex, frontend.certificate, 'certificate', [...fpath, 'certificate']);
    return {
      name: frontend.name,
      address,
      port,
      interface: iface,
      certificate: frontend.certificate,
      httpRedirect: frontend.http_redirect ?? false,
      defaultBackend: frontend.default_backend,
      description: frontend.description,
      path: fpath,
    };
  });
  return { certificates, frontends, backends };
}
