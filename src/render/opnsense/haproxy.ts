// HAProxy (MVC //OPNsense/HAProxy, os-haproxy): servers, backend pools
// linked to their servers by UUID, frontends with bind, TLS offloading
// (certificate by refid) and the default backend by UUID. A frontend with
// http_redirect gets a second frontend on port 80 that redirects to HTTPS.
// Every item carries every field of the release's model: the haproxy.conf
// template reads config.xml, and renders e.g. "option " with no keyword
// for a frontend without connectionBehaviour, which HAProxy refuses.
import { type Area, type OpnsenseContext, mvcFlag } from './context.js';
import { type FieldValues, modelItem, modelSection } from './fields.js';
import { certificateRefid, uniqueId } from './ids.js';
import type { XmlElement } from './xml.js';

export function haproxyUuids(ctx: OpnsenseContext) {
  return {
    server: (backend: string, server: string) => ctx.uuid('haproxy-server', `${backend}/${server}`),
    backend: (name: string) => ctx.uuid('haproxy-backend', name),
    frontend: (name: string) => ctx.uuid('haproxy-frontend', name),
    redirectFrontend: (name: string) => ctx.uuid('haproxy-frontend', `${name}/http-redirect`),
    redirectAction: (name: string) => ctx.uuid('haproxy-action', `${name}/http-redirect`),
  };
}

/** A permanent redirect to HTTPS, in the release's form of a rule action. */
function redirectToHttps(ctx: OpnsenseContext): FieldValues {
  const redirect = 'scheme https code 301';
  return ctx.release.forms.haproxyActions === 'http-request'
    ? { enabled: '1', type: 'http-request', http_request_action: 'redirect', http_request_option: redirect }
    : { type: 'http-request_redirect', http_request_redirect: redirect };
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
        modelItem(ctx, 'haproxy', 'servers.server', ids.server(backend.name, server.name), {
          id: uniqueId(site, 'haproxy-server', `${backend.name}/${server.name}`),
          enabled: '1',
          name: `${backend.name}_${server.name}`,
          description: server.service ? `service ${server.service}` : undefined,
          address: server.address,
          port: server.port,
          mode: 'active',
          type: 'static',
          ssl: '0',
          sslVerify: '1',
          weight: '',
        }),
      ),
    );
    const backendItems = backends.map((backend) =>
      modelItem(ctx, 'haproxy', 'backends.backend', backendUuid.get(backend.name)!, {
        id: uniqueId(site, 'haproxy-backend', backend.name),
        enabled: '1',
        name: backend.name,
        description: backend.description,
        mode: 'http',
        algorithm: backend.algorithm,
        linkedServers: backend.servers.map((s) => ids.server(backend.name, s.name)).join(','),
        healthCheckEnabled: mvcFlag(backend.healthCheck),
        healthCheck: '',
      }),
    );
    const frontendItems: XmlElement[] = [];
    const actions: XmlElement[] = [];
    for (const frontend of frontends) {
      const refid = frontend.certificate !== undefined ? certificateRefid(site, frontend.certificate) : undefined;
      frontendItems.push(
        modelItem(ctx, 'haproxy', 'frontends.frontend', ids.frontend(frontend.name), {
          id: uniqueId(site, 'haproxy-frontend', frontend.name),
          enabled: '1',
          name: frontend.name,
          description: frontend.description,
          bind: `${frontend.address}:${frontend.port}`,
          bindOptions: '',
          mode: 'http',
          defaultBackend: backendUuid.get(frontend.defaultBackend),
          ssl_enabled: mvcFlag(refid !== undefined),
          ssl_certificates: refid,
          ssl_default_certificate: refid,
          ssl_hstsEnabled: mvcFlag(refid !== undefined),
          forwardFor: '1',
          connectionBehaviour: 'http-keep-alive',
          linkedActions: '',
        }),
      );
      if (frontend.httpRedirect) {
        frontendItems.push(
          modelItem(ctx, 'haproxy', 'frontends.frontend', ids.redirectFrontend(frontend.name), {
            id: uniqueId(site, 'haproxy-frontend', `${frontend.name}/http-redirect`),
            enabled: '1',
            name: `${frontend.name}_http_redirect`,
            description: `Redirects HTTP to frontend ${frontend.name}`,
            bind: `${frontend.address}:80`,
            bindOptions: '',
            mode: 'http',
            defaultBackend: backendUuid.get(frontend.defaultBackend),
            ssl_enabled: '0',
            ssl_certificates: '',
            ssl_default_certificate: '',
            ssl_hstsEnabled: '0',
            forwardFor: '1',
            connectionBehaviour: 'http-keep-alive',
            linkedActions: ids.redirectAction(frontend.name),
          }),
        );
        actions.push(
          modelItem(ctx, 'haproxy', 'actions.action', ids.redirectAction(frontend.name), {
            name: `${frontend.name}_redirect_to_https`,
            description: `HTTP to HTTPS for frontend ${frontend.name}`,
            testType: 'if',
            linkedAcls: '',
            operator: 'and',
            ...redirectToHttps(ctx),
          }),
        );
      }
    }
    return modelSection(ctx, 'haproxy', {
      general: { enabled: '1' },
      frontends: { frontend: frontendItems },
      backends: { backend: backendItems },
      servers: { server: servers },
      actions: { action: actions },
    });
  },
};
