// HAProxy (MVC //OPNsense/HAProxy, os-haproxy): servers (plain or TLS,
// verified against a CA), backend pools linked to their servers and their
// health check by UUID, frontends with bind, TLS offloading (certificates
// by refid) or passthrough, the default backend by UUID, and one rule per
// host name: an ACL on the Host header (HTTP) or the SNI (passthrough,
// after an inspect delay that lets the TLS hello arrive) and a use_backend
// action. A frontend with http_redirect gets a second frontend on port 80
// that redirects to HTTPS.
import type { HaproxyBackend, HaproxyFrontend } from '../../model.js';
import { type HaproxyRule, haproxyItemName, haproxyRuleFields, haproxyRuleHasEnabled } from '../../targets/opnsense/haproxy-actions.js';
import { type Area, type OpnsenseContext, mvcFlag, uuidAttr, versionAttr } from './context.js';
import { certificateRefid, uniqueId } from './ids.js';
import { type XmlElement, element, leaf } from './xml.js';

/** How long a passthrough frontend waits for the TLS hello before it routes by SNI. */
const INSPECT_DELAY = '5s';

export function haproxyUuids(ctx: OpnsenseContext) {
  return {
    server: (backend: string, server: string) => ctx.uuid('haproxy-server', `${backend}/${server}`),
    backend: (name: string) => ctx.uuid('haproxy-backend', name),
    frontend: (name: string) => ctx.uuid('haproxy-frontend', name),
    redirectFrontend: (name: string) => ctx.uuid('haproxy-frontend', `${name}/http-redirect`),
    redirectAction: (name: string) => ctx.uuid('haproxy-action', `${name}/http-redirect`),
    healthcheck: (backend: string) => ctx.uuid('haproxy-healthcheck', backend),
    acl: (frontend: string, name: string) => ctx.uuid('haproxy-acl', `${frontend}/${name}`),
    action: (frontend: string, name: string) => ctx.uuid('haproxy-action', `${frontend}/${name}`),
  };
}

function healthcheckItem(ctx: OpnsenseContext, backend: HaproxyBackend): XmlElement | undefined {
  const check = backend.check;
  if (check.type === 'none') return undefined;
  const http = check.type === 'http';
  return element(
    'healthcheck',
    [
      leaf('name', haproxyItemName(`${backend.name}_check`)),
      leaf('description', `gen: health check of backend ${backend.name}`),
      leaf('type', check.type),
      leaf('interval', '2s'),
      leaf('ssl', 'nopref'),
      http ? leaf('http_method', 'get') : undefined,
      http ? leaf('http_uri', check.path) : undefined,
      // HTTP/1.1 with the Host header of a site the backend serves: many applications refuse other hosts.
      http ? leaf('http_version', 'http11') : undefined,
      http ? leaf('http_host', check.host ?? 'localhost') : undefined,
    ],
    uuidAttr(haproxyUuids(ctx).healthcheck(backend.name)),
  );
}

interface FrontendRules {
  acls: XmlElement[];
  actions: XmlElement[];
  /** UUIDs of the frontend's actions, in order. */
  linked: string[];
}

/** The ACLs and actions that route a frontend's host names (and let the TLS hello in first, for passthrough). */
function hostRules(ctx: OpnsenseContext, frontend: HaproxyFrontend, backendUuid: ReadonlyMap<string, string>): FrontendRules {
  const ids = haproxyUuids(ctx);
  const version = ctx.version('haproxy');
  const out: FrontendRules = { acls: [], actions: [], linked: [] };
  if (frontend.hosts.length === 0) return out;
  const acl = (key: string, description: string, condition: [string, string]) => {
    const uuid = ids.acl(frontend.name, key);
    out.acls.push(
      element(
        'acl',
        [
          leaf('id', uniqueId(ctx.site.name, 'haproxy-acl', `${frontend.name}/${key}`)),
          leaf('name', haproxyItemName(`${frontend.name}_${key}`)),
          leaf('description', description),
          leaf('expression', condition[0]),
          leaf('negate', '0'),
          leaf('caseSensitive', '0'),
          leaf(condition[0], condition[1]),
        ],
        uuidAttr(uuid),
      ),
    );
    return uuid;
  };
  const action = (key: string, description: string, rule: HaproxyRule, acls: string[]) => {
    const uuid = ids.action(frontend.name, key);
    out.actions.push(
      element(
        'action',
        [
          haproxyRuleHasEnabled(version) ? leaf('enabled', '1') : undefined,
          leaf('name', haproxyItemName(`${frontend.name}_${key}`)),
          leaf('description', description),
          leaf('testType', 'if'),
          leaf('linkedAcls', acls.join(',')),
          leaf('operator', 'and'),
          ...haproxyRuleFields(version, rule).map(([name, value]) => leaf(name, value)),
        ],
        uuidAttr(uuid),
      ),
    );
    out.linked.push(uuid);
  };
  if (frontend.passthrough) {
    // SNI is in the TLS client hello: wait for it, then accept the connection and route.
    action('inspect_delay', `gen: wait for the TLS hello on frontend ${frontend.name}`, { kind: 'inspect-delay', delay: INSPECT_DELAY }, []);
    const hello = acl('tls_hello', `gen: a TLS client hello on frontend ${frontend.name}`, ['ssl_hello_type', 'x1']);
    action('accept_tls', `gen: accept a TLS hello on frontend ${frontend.name}`, { kind: 'content-accept' }, [hello]);
  }
  for (const host of frontend.hosts) {
    const key = `host_${host.name.replace('*', 'any')}`;
    // A wildcard matches the end of the name; the Host header carries the port when it is not the scheme's default one.
    const wildcard = host.name.startsWith('*.');
    const name = wildcard ? host.name.slice(1) : host.name;
    const standard = frontend.port === 80 || frontend.port === 443;
    const value = frontend.passthrough || standard ? name : `${name} ${name}:${frontend.port}`;
    const expression = frontend.passthrough ? (wildcard ? 'ssl_sni_end' : 'ssl_sni') : wildcard ? 'hdr_end' : 'hdr';
    const condition = acl(key, `gen: ${frontend.passthrough ? 'SNI' : 'Host'} ${host.name}`, [expression, value]);
    action(`route_${host.name.replace('*', 'any')}`, host.description ?? `gen: ${host.name} to backend ${host.backend}`, { kind: 'use-backend', backend: backendUuid.get(host.backend)! }, [condition]);
  }
  return out;
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
            leaf('ssl', mvcFlag(backend.tls !== undefined)),
            leaf('sslSNI', backend.tls?.sni),
            leaf('sslVerify', mvcFlag(backend.tls?.verify !== 'none')),
            leaf('sslCA', backend.tls?.ca),
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
          leaf('mode', backend.mode),
          leaf('algorithm', backend.algorithm),
          leaf('linkedServers', backend.servers.map((s) => ids.server(backend.name, s.name)).join(',')),
          leaf('healthCheckEnabled', mvcFlag(backend.check.type !== 'none')),
          leaf('healthCheck', backend.check.type === 'none' ? '' : ids.healthcheck(backend.name)),
        ],
        uuidAttr(backendUuid.get(backend.name)!),
      ),
    );
    const healthchecks = backends.flatMap((backend) => healthcheckItem(ctx, backend) ?? []);
    const frontendItems: XmlElement[] = [];
    const acls: XmlElement[] = [];
    const actions: XmlElement[] = [];
    for (const frontend of frontends) {
      const refids = frontend.certificates.map((c) => certificateRefid(site, c));
      const refid = refids[0];
      const rules = hostRules(ctx, frontend, backendUuid);
      acls.push(...rules.acls);
      actions.push(...rules.actions);
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
            // "ssl" is the model's TCP mode for TLS passed through.
            leaf('mode', frontend.passthrough ? 'ssl' : 'http'),
            leaf('defaultBackend', frontend.defaultBackend && backendUuid.get(frontend.defaultBackend)),
            leaf('ssl_enabled', mvcFlag(refid !== undefined)),
            leaf('ssl_certificates', refids.join(',')),
            leaf('ssl_default_certificate', refid),
            leaf('ssl_hstsEnabled', mvcFlag(refid !== undefined)),
            leaf('forwardFor', mvcFlag(!frontend.passthrough)),
            leaf('connectionBehaviour', 'http-keep-alive'),
            leaf('linkedActions', rules.linked.join(',')),
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
              leaf('defaultBackend', frontend.defaultBackend && backendUuid.get(frontend.defaultBackend)),
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
            element('healthchecks', healthchecks),
            element('acls', acls),
            element('actions', actions),
          ],
          versionAttr(ctx.version('haproxy')),
        ),
      ]),
    ];
  },
};
