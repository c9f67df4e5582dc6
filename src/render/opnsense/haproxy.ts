// HAProxy (MVC //OPNsense/HAProxy, os-haproxy): servers (plain or TLS,
// verified against a CA), backend pools linked to their servers and their
// health check by UUID, frontends with bind, TLS offloading (certificates
// by refid) or passthrough, the default backend by UUID, and one rule per
// host name: an ACL on the Host header (HTTP) or the SNI (passthrough,
// after an inspect delay that lets the TLS hello arrive) and a use_backend
// action. A frontend with http_redirect gets a second frontend on port 80
// that redirects to HTTPS. Every item carries every field of the release's
// model: the haproxy.conf template reads config.xml, and renders e.g.
// "option " with no keyword for a frontend without connectionBehaviour,
// which HAProxy refuses.
import type { HaproxyBackend, HaproxyFrontend } from '../../model.js';
import { acmeChallengeFrontends } from '../../resolve/haproxy.js';
import { ACME_CHALLENGE_PORT } from '../../targets/opnsense/acme.js';
import { type HaproxyRule, haproxyItemName, haproxyRuleFields } from '../../targets/opnsense/haproxy-actions.js';
import { hostConditions } from '../../targets/opnsense/haproxy-conditions.js';
import { type Area, type OpnsenseContext, mvcFlag } from './context.js';
import { modelItem, modelSection } from './fields.js';
import { certificateRefid, uniqueId } from './ids.js';
import type { XmlElement } from './xml.js';
import { appendAll } from '../../arrays.js';

/**
 * Headers that carry a client address, dropped from each request an HTTP
 * frontend receives. "option forwardfor" appends the address HAProxy sees
 * to any X-Forwarded-For the client sent, and backends that read the first
 * entry (or Forwarded, or X-Real-IP, which HAProxy leaves alone) took an
 * address the client chose. HAProxy adds its X-Forwarded-For when it
 * forwards the request, after the frontend's http-request rules.
 */
const CLIENT_ADDRESS_HEADERS = ['X-Forwarded-For', 'Forwarded', 'X-Real-IP'];

/**
 * The headers that tell a backend the host and port the client asked for,
 * which HAProxy passes on as the client sent them (the plugin's template
 * writes none): dropped too. The Host header, which HAProxy passes on, has
 * the host (and port) already.
 */
const CLIENT_HOST_HEADERS = ['X-Forwarded-Host', 'X-Forwarded-Port'];

/**
 * The scheme the client used, set by the frontend: an application that
 * trusts its proxy builds its links and secure cookies from it, and took
 * the client's word (https on plain HTTP, http behind TLS) before.
 */
const PROTO_HEADER = 'X-Forwarded-Proto';

/**
 * The idle timeout of a connection once it is a tunnel: a WebSocket after
 * its 101 (Home Assistant, Nextcloud Talk, a noVNC console), or a
 * passthrough (TCP) connection once routed. Without it HAProxy keeps the
 * client and server timeouts (the model's defaults: 30s), and an idle
 * WebSocket was cut after 30 seconds. The model has no field for it (the
 * backend's tuning is connect, check and server timeouts): it goes in the
 * backend's pass-through options, which the template writes as they are.
 * One hour, the value of HAProxy's manual for WebSockets.
 */
const TUNNEL_TIMEOUT = 'timeout tunnel 1h';

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
    // The ACME client's HTTP-01 items (a topology name never starts with "_": the keys cannot meet a frontend's or backend's).
    acmeAcl: () => ctx.uuid('haproxy-acl', '_acme_challenge'),
    acmeAction: () => ctx.uuid('haproxy-action', '_acme_challenge'),
    acmeBackend: () => ctx.uuid('haproxy-backend', '_acme_challenge'),
    acmeServer: () => ctx.uuid('haproxy-server', '_acme_challenge'),
  };
}

/**
 * The persistence fields of a backend. The model's defaults (persistence
 * sticktable, stickiness_pattern sourceipv4) make the template write
 * "stick-table type ipv4 size 50k expire 30m" and "stick on src" into every
 * backend: each client address stays on one server for 30 minutes, whatever
 * the balance algorithm. Both fields are optional: empty writes neither line.
 * A cookie backend gets no stick-table (the template writes one for any
 * pattern, used or not).
 */
function stickinessFields(sticky: HaproxyBackend['sticky']) {
  switch (sticky) {
    case 'source':
      return { persistence: 'sticktable', stickiness_pattern: 'sourceipv4' };
    case 'cookie':
      // "new": HAProxy inserts its own cookie (insert indirect nocache); "piggyback" needs one the application sets.
      return { persistence: 'cookie', persistence_cookiemode: 'new', stickiness_pattern: '' };
    case 'none':
      return { persistence: '', stickiness_pattern: '' };
  }
}

function healthcheckItem(ctx: OpnsenseContext, backend: HaproxyBackend): XmlElement | undefined {
  const check = backend.check;
  if (check.type === 'none') return undefined;
  const http = check.type === 'http';
  // The servers of a passthrough (TCP) backend speak TLS to the client, and the template sends an HTTP check in plain
  // text unless the check's ssl is ssl or sslsni (check-ssl): the server refuses it and HAProxy takes it for down.
  const overTls = http && backend.mode === 'tcp';
  return modelItem(ctx, 'haproxy', 'healthchecks.healthcheck', haproxyUuids(ctx).healthcheck(backend.name), {
    name: haproxyItemName(`${backend.name}_check`),
    description: `gen: health check of backend ${backend.name}`,
    type: check.type,
    interval: '2s',
    // A TLS backend that needs SNI needs it in its checks too: the template adds check-sni only for sslsni (taking the
    // server's SNI), and HAProxy's sni applies to proxied traffic alone, so the check met the wrong certificate, or none.
    ssl: backend.tls?.sni !== undefined || (overTls && check.host !== undefined) ? 'sslsni' : overTls ? 'ssl' : 'nopref',
    // The host name the check asks for, as the SNI too: a server that holds several names picks its certificate by it.
    sslSNI: overTls ? check.host : undefined,
    ...(http
      ? {
          http_method: 'get',
          http_uri: check.path,
          // HTTP/1.1 with the Host header of a site the backend serves: many applications refuse other hosts.
          http_version: 'http11',
          http_host: check.host ?? 'localhost',
        }
      : {}),
  });
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
  const out: FrontendRules = { acls: [], actions: [], linked: [] };
  if (frontend.hosts.length === 0) return out;
  const acl = (key: string, description: string, condition: [string, string]) => {
    const uuid = ids.acl(frontend.name, key);
    out.acls.push(
      modelItem(ctx, 'haproxy', 'acls.acl', uuid, {
        id: uniqueId(ctx.site.name, 'haproxy-acl', `${frontend.name}/${key}`),
        name: haproxyItemName(`${frontend.name}_${key}`),
        description,
        expression: condition[0],
        negate: '0',
        caseSensitive: '0',
        [condition[0]]: condition[1],
      }),
    );
    return uuid;
  };
  const action = (key: string, description: string, rule: HaproxyRule, acls: string[], operator: 'and' | 'or' = 'and') => {
    const uuid = ids.action(frontend.name, key);
    out.actions.push(
      modelItem(ctx, 'haproxy', 'actions.action', uuid, {
        name: haproxyItemName(`${frontend.name}_${key}`),
        description,
        testType: 'if',
        linkedAcls: acls.join(','),
        operator,
        ...haproxyRuleFields(ctx.release.forms.haproxyActions, rule),
      }),
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
    const what = frontend.passthrough ? 'SNI' : 'Host';
    // The name and the name with the port in one condition, or, where together they are longer than the model's field, in
    // two, either of which routes (targets/opnsense/haproxy-conditions.ts).
    const { expression, values } = hostConditions(host.name, frontend.port, frontend.passthrough);
    const conditions = values.map((value, i) =>
      i === 0 ? acl(key, `gen: ${what} ${host.name}`, [expression, value]) : acl(`${key}_port`, `gen: ${what} ${host.name} with port ${frontend.port}`, [expression, value]),
    );
    action(`route_${host.name.replace('*', 'any')}`, host.description ?? `gen: ${host.name} to backend ${host.backend}`, { kind: 'use-backend', backend: backendUuid.get(host.backend)! }, conditions, conditions.length > 1 ? 'or' : 'and');
  }
  return out;
}

/**
 * The rules that drop the client's address and host headers on the frontend
 * keyed `key`, and set the scheme it serves, unconditional: they go first in
 * its linked actions.
 */
function clientHeaderRules(ctx: OpnsenseContext, key: string, name: string, scheme: 'http' | 'https'): { actions: XmlElement[]; linked: string[] } {
  const ids = haproxyUuids(ctx);
  const out = { actions: [] as XmlElement[], linked: [] as string[] };
  const add = (slug: string, description: string, rule: HaproxyRule) => {
    const uuid = ids.action(key, slug);
    out.actions.push(
      modelItem(ctx, 'haproxy', 'actions.action', uuid, {
        name: haproxyItemName(`${name}_${slug}`),
        description,
        testType: 'if',
        linkedAcls: '',
        operator: 'and',
        ...haproxyRuleFields(ctx.release.forms.haproxyActions, rule),
      }),
    );
    out.linked.push(uuid);
  };
  const slugOf = (header: string) => header.toLowerCase().replace(/-/g, '_');
  for (const header of CLIENT_ADDRESS_HEADERS.concat(CLIENT_HOST_HEADERS)) {
    add(`drop_${slugOf(header)}`, `gen: drop the client's ${header} on frontend ${name}`, { kind: 'del-header', header });
  }
  add(`set_${slugOf(PROTO_HEADER)}`, `gen: ${PROTO_HEADER} ${scheme} on frontend ${name}, whatever the client sent`, { kind: 'set-header', header: PROTO_HEADER, value: scheme });
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
        modelItem(ctx, 'haproxy', 'servers.server', ids.server(backend.name, server.name), {
          id: uniqueId(site, 'haproxy-server', `${backend.name}/${server.name}`),
          enabled: '1',
          name: `${backend.name}_${server.name}`,
          description: server.service ? `service ${server.service}` : undefined,
          address: server.address,
          port: server.port,
          mode: 'active',
          type: 'static',
          ssl: mvcFlag(backend.tls !== undefined),
          sslSNI: backend.tls?.sni,
          // Without tls it matters only to a passthrough backend's checks over TLS: the client's TLS is not HAProxy's to verify.
          sslVerify: mvcFlag(backend.tls !== undefined && backend.tls.verify !== 'none'),
          sslCA: backend.tls?.ca,
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
        mode: backend.mode,
        algorithm: backend.algorithm,
        ...stickinessFields(backend.sticky),
        customOptions: TUNNEL_TIMEOUT,
        linkedServers: backend.servers.map((s) => ids.server(backend.name, s.name)).join(','),
        healthCheckEnabled: mvcFlag(backend.check.type !== 'none'),
        healthCheck: backend.check.type === 'none' ? '' : ids.healthcheck(backend.name),
      }),
    );
    const healthchecks = backends.flatMap((backend) => healthcheckItem(ctx, backend) ?? []);
    const frontendItems: XmlElement[] = [];
    const acls: XmlElement[] = [];
    const actions: XmlElement[] = [];
    // HTTP-01 challenges go to the ACME client's local server. The plugin
    // makes these four items only when its settings page is applied, and
    // then appends the rule after gen's host rules, where a request for a
    // routed host name never reaches it. gen writes them (the ACME
    // settings name them, so the plugin leaves them be), with the rule
    // first on each frontend that receives challenges and the port-80
    // redirect made `unless` a challenge: HAProxy runs http-request rules
    // (the redirect) before any use_backend, and Let's Encrypt would
    // otherwise follow the redirect to the frontend's host rules.
    const challenged = new Set(acmeChallengeFrontends(ctx.site.haproxy));
    if (challenged.size > 0) {
      acls.push(
        modelItem(ctx, 'haproxy', 'acls.acl', ids.acmeAcl(), {
          id: uniqueId(site, 'haproxy-acl', '_acme_challenge'),
          name: '_acme_challenge',
          description: 'gen: an ACME HTTP-01 challenge',
          expression: 'path_beg',
          negate: '0',
          caseSensitive: '0',
          path_beg: '/.well-known/acme-challenge/',
        }),
      );
      actions.push(
        modelItem(ctx, 'haproxy', 'actions.action', ids.acmeAction(), {
          name: '_acme_challenge',
          description: 'gen: ACME HTTP-01 challenges to the ACME client',
          testType: 'if',
          linkedAcls: ids.acmeAcl(),
          operator: 'and',
          ...haproxyRuleFields(ctx.release.forms.haproxyActions, { kind: 'use-backend', backend: ids.acmeBackend() }),
        }),
      );
      backendItems.push(
        modelItem(ctx, 'haproxy', 'backends.backend', ids.acmeBackend(), {
          id: uniqueId(site, 'haproxy-backend', '_acme_challenge'),
          enabled: '1',
          name: '_acme_challenge',
          description: 'gen: the ACME client answers HTTP-01 challenges',
          mode: 'http',
          algorithm: 'source',
          ...stickinessFields('none'),
          linkedServers: ids.acmeServer(),
          healthCheckEnabled: '0',
          healthCheck: '',
        }),
      );
      servers.push(
        modelItem(ctx, 'haproxy', 'servers.server', ids.acmeServer(), {
          id: uniqueId(site, 'haproxy-server', '_acme_challenge'),
          enabled: '1',
          name: '_acme_challenge_host',
          description: 'gen: the ACME client on the firewall',
          address: '127.0.0.1',
          port: ACME_CHALLENGE_PORT,
          mode: 'active',
          type: 'static',
          ssl: '0',
          sslVerify: '0',
          weight: '',
        }),
      );
    }
    for (const frontend of frontends) {
      const refids = frontend.certificates.map((c) => certificateRefid(site, c));
      const refid = refids[0];
      const rules = hostRules(ctx, frontend, backendUuid);
      appendAll(acls, rules.acls);
      // A passthrough frontend forwards TLS it cannot read: no headers, no forwardfor.
      const dropped = frontend.passthrough ? { actions: [], linked: [] } : clientHeaderRules(ctx, frontend.name, frontend.name, refid === undefined ? 'http' : 'https');
      appendAll(actions, dropped.actions);
      appendAll(actions, rules.actions);
      frontendItems.push(
        modelItem(ctx, 'haproxy', 'frontends.frontend', ids.frontend(frontend.name), {
          id: uniqueId(site, 'haproxy-frontend', frontend.name),
          enabled: '1',
          name: frontend.name,
          description: frontend.description,
          bind: `${frontend.address}:${frontend.port}`,
          bindOptions: '',
          // "ssl" is the model's TCP mode for TLS passed through.
          mode: frontend.passthrough ? 'ssl' : 'http',
          defaultBackend: frontend.defaultBackend && backendUuid.get(frontend.defaultBackend),
          ssl_enabled: mvcFlag(refid !== undefined),
          ssl_certificates: refids.join(','),
          ssl_default_certificate: refid,
          // The template reads HSTS (and the minimum TLS version, ciphers and bind options, whose
          // model defaults gen keeps) only with the advanced settings on: without them, no
          // Strict-Transport-Security header is sent.
          ssl_advancedEnabled: mvcFlag(refid !== undefined),
          ssl_hstsEnabled: mvcFlag(refid !== undefined),
          forwardFor: mvcFlag(!frontend.passthrough),
          connectionBehaviour: 'http-keep-alive',
          // http-request rules (the header rules) before any use_backend: HAProxy runs them first whatever the order, and warns otherwise.
          linkedActions: [...dropped.linked, ...(challenged.has(frontend) ? [ids.acmeAction()] : []), ...rules.linked].join(','),
        }),
      );
      if (frontend.httpRedirect) {
        // It forwards ACME challenges, with X-Forwarded-For as well.
        const redirectName = `${frontend.name}_http_redirect`;
        const redirectDropped = clientHeaderRules(ctx, `${frontend.name}/http-redirect`, redirectName, 'http');
        appendAll(actions, redirectDropped.actions);
        frontendItems.push(
          modelItem(ctx, 'haproxy', 'frontends.frontend', ids.redirectFrontend(frontend.name), {
            id: uniqueId(site, 'haproxy-frontend', `${frontend.name}/http-redirect`),
            enabled: '1',
            name: redirectName,
            description: `Redirects HTTP to frontend ${frontend.name}`,
            bind: `${frontend.address}:80`,
            bindOptions: '',
            mode: 'http',
            defaultBackend: frontend.defaultBackend && backendUuid.get(frontend.defaultBackend),
            ssl_enabled: '0',
            ssl_certificates: '',
            ssl_default_certificate: '',
            ssl_hstsEnabled: '0',
            forwardFor: '1',
            connectionBehaviour: 'http-keep-alive',
            // The redirect first: HAProxy runs http-request rules before use_backend whatever
            // their order, and warns when the file says otherwise.
            linkedActions: [...redirectDropped.linked, ids.redirectAction(frontend.name), ...(challenged.has(frontend) ? [ids.acmeAction()] : [])].join(','),
          }),
        );
        actions.push(
          modelItem(ctx, 'haproxy', 'actions.action', ids.redirectAction(frontend.name), {
            name: `${frontend.name}_redirect_to_https`,
            description: `HTTP to HTTPS for frontend ${frontend.name}`,
            testType: challenged.has(frontend) ? 'unless' : 'if',
            linkedAcls: challenged.has(frontend) ? ids.acmeAcl() : '',
            operator: 'and',
            ...haproxyRuleFields(ctx.release.forms.haproxyActions, { kind: 'redirect', option: 'scheme https code 301' }),
          }),
        );
      }
    }
    return modelSection(ctx, 'haproxy', {
      general: { enabled: '1' },
      frontends: { frontend: frontendItems },
      backends: { backend: backendItems },
      servers: { server: servers },
      healthchecks: { healthcheck: healthchecks },
      acls: { acl: acls },
      actions: { action: actions },
    });
  },
};
