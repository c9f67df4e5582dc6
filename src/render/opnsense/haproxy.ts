// HAProxy (MVC //OPNsense/HAProxy, os-haproxy): servers, backend pools
// linked to their servers by UUID, frontends with bind, TLS offloading
// (certificate by refid) and the default backend by UUID. A frontend with
// http_redirect gets a second frontend on port 80 that redirects to HTTPS.
import { type Area, type OpnsenseContext, mvcFlag, uuidAttr, versionAttr } from './context.js';
import { certificateRefid, uniqueId } from './ids.js';
import { type XmlElement, element, leaf } from './xml.js';

export function haproxyUuids(ctx: OpnsenseContext) {
  return {
    server: (backend: string, server: string) => ctx.uuid('haproxy-server', `${backend}/${server}`),
    backend: (name: string) => ctx.uuid('haproxy-backend', name),
    frontend: (name: string) => ctx.uuid('haproxy-frontend', name),
    redirectFrontend: (name: string) => ctx.uuid('haproxy-frontend', `${name}/http-redirect`),
    redirectAction: (name: string) => ctx.uuid('haproxy-action', `${name}/http-redirect`),
  };
}

export const haproxyArea: Area = {
  file: 'haproxy.xml',
  build(ctx) {
    const { frontends, backends } = ctx.site.haproxy;
    if (frontends.length === 0 && backends.length === 0) return [];
    const ids = haproxyUuids(ctx);
    const site = ctx.site.name;
    const backendUuid = new Map(backends.map((b) => [b.name, ids.backend(b.name)]));

    const servers = backends.flatMap((backend) =>
      backend.servers.map((server) =>
        element(
          'server',
          [
            leaf('id', uniqueId(site, 'haproxy-server', `${backend.name}/${server.name}`)),
            leaf('enabled', '1'),
            leaf('name', `${backend.name}_${server.name}`),
            leaf('description', server.service ? `service ${server.service}` : undefined),
            leaf('address', server.address),
            leaf('port', server.port),
            leaf('mode', 'active'),
            leaf('type', 'static'),
            leaf('ssl', '0'),
            leaf('sslVerify', '1'),
            leaf('weight', ''),
          ],
          uuidAttr(ids.server(backend.name, server.name)),
        ),
      ),
    );
    const backendItems = backends.map((backend) =>
      element(
        'backend',
        [
          leaf('id', uniqueId(site, 'haproxy-backend', backend.name)),
          leaf('enabled', '1'),
          leaf('name', backend.name),
          leaf('description', backend.description),
          leaf('mode', 'http'),
          leaf('algorithm', backend.algorithm),
          leaf('linkedServers', backend.servers.map((s) => ids.server(backend.name, s.name)).join(',')),
          leaf('healthCheckEnabled', mvcFlag(backend.healthCheck)),
          leaf('healthCheck', ''),
        ],
        uuidAttr(backendUuid.get(backend.name)!),
      ),
    );
    const frontendItems: XmlElement[] = [];
    const actions: XmlElement[] = [];
    for (const frontend of frontends) {
      const refid = frontend.certificate !== undefined ? certificateRefid(site, frontend.certificate) : undefined;
      frontendItems.push(
        element(
          'frontend',
          [
            leaf('id', uniqueId(site, 'haproxy-frontend', frontend.name)),
            leaf('enabled', '1'),
            leaf('name', frontend.name),
            leaf('description', frontend.description),
            leaf('bind', `${frontend.address}:${frontend.port}`),
            leaf('bindOptions', ''),
            leaf('mode', 'http'),
            leaf('defaultBackend', backendUuid.get(frontend.defaultBackend)),
            leaf('ssl_enabled', mvcFlag(refid !== undefined)),
            leaf('ssl_certificates', refid),
            leaf('ssl_default_certificate', refid),
            leaf('ssl_hstsEnabled', mvcFlag(refid !== undefined)),
            leaf('forwardFor', '1'),
            leaf('connectionBehaviour', 'http-keep-alive'),
            leaf('linkedActions', ''),
          ],
          uuidAttr(ids.frontend(frontend.name)),
        ),
      );
      if (frontend.httpRedirect) {
        frontendItems.push(
          element(
            'frontend',
            [
              leaf('id', uniqueId(site, 'haproxy-frontend', `${frontend.name}/http-redirect`)),
              leaf('enabled', '1'),
              leaf('name', `${frontend.name}_http_redirect`),
              leaf('description', `Redirects HTTP to frontend ${frontend.name}`),
              leaf('bind', `${frontend.address}:80`),
              leaf('mode', 'http'),
              leaf('defaultBackend', backendUuid.get(frontend.defaultBackend)),
              leaf('ssl_enabled', '0'),
              leaf('linkedActions', ids.redirectAction(frontend.name)),
            ],
            uuidAttr(ids.redirectFrontend(frontend.name)),
          ),
        );
        actions.push(
          element(
            'action',
            [
              leaf('name', `${frontend.name}_redirect_to_https`),
              leaf('description', `HTTP to HTTPS for frontend ${frontend.name}`),
              leaf('testType', 'if'),
              leaf('linkedAcls', ''),
              leaf('operator', 'and'),
              leaf('type', 'http-request_redirect'),
              leaf('http_request_redirect', 'scheme https code 301'),
            ],
            uuidAttr(ids.redirectAction(frontend.name)),
          ),
        );
      }
    }
    return [
      element('OPNsense', [
        element(
          'HAProxy',
          [
            element('general', [leaf('enabled', '1')]),
            element('frontends', frontendItems),
            element('backends', backendItems),
            element('servers', servers),
            element('actions', actions),
          ],
          versionAttr(ctx.version('haproxy')),
        ),
      ]),
    ];
  },
};
