// HAProxy rules: host names the certificate must cover, modes that cannot
// mix (TLS offloading, TLS passthrough, HTTP and TCP backends), and TLS
// servers spoken to in plain HTTP.
import type { HaproxyFrontend } from '../model.js';
import { certificateCovers } from '../resolve/haproxy.js';
import type { Rule } from './rule.js';

/** Ports where a server almost surely expects TLS. */
const TLS_PORTS = new Set([443]);

export const haproxyRules: Rule[] = [
  {
    id: 'haproxy/host-not-in-certificate',
    severity: 'error',
    summary: 'A host name a TLS frontend serves is not a name of its certificate.',
    why: 'Browsers refuse a certificate that does not name the host they asked for: the site is unreachable although HAProxy routes it.',
    hint: 'Leave domain out of the certificate to take its names from the hosts, or add the host to alt_names (a wildcard *.example.org covers one label).',
    examples: [
      {
        topology: 'homelab-family',
        where: 'sites[].haproxy.certificates[web]',
        bad: '{ name: web, domain: cloud.example.org, challenge: http-01 }',
        good: '{ name: web, domain: cloud.example.org, alt_names: [media.example.org], challenge: http-01 }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const certs = new Map(site.haproxy.certificates.map((c) => [c.name, c]));
        for (const frontend of site.haproxy.frontends) {
          if (frontend.certificates.length === 0) continue;
          const names = frontend.certificates.flatMap((c) => (certs.has(c) ? [certs.get(c)!.domain, ...certs.get(c)!.altNames] : []));
          for (const host of frontend.hosts) {
            if (!names.some((n) => certificateCovers(n, host.name))) {
              report({
                path: host.path.concat('name'),
                message: `frontend ${frontend.name} serves ${host.name}, which its certificate (${names.join(', ')}) does not name`,
                hint: `Add ${host.name} to alt_names of certificate ${frontend.certificates[0]}, or leave its domain out to take the names from the hosts of frontend ${frontend.name}.`,
              });
            }
          }
        }
      }
    },
  },
  {
    id: 'haproxy/mode-conflict',
    severity: 'error',
    summary: 'A TLS-passthrough frontend has a certificate, or a backend serves both an HTTP and a passthrough frontend, or a passthrough backend is told to speak TLS itself or to keep clients by cookie.',
    why:
      'Passthrough forwards the client TLS stream untouched (TCP mode, routed by SNI): there is nothing to offload, and its backends must be TCP backends that do not wrap the stream again. ' +
      'Nor can they read or set a cookie inside it: HAProxy ignores cookie persistence outside HTTP mode, and clients would be spread as if sticky were none.',
    hint: 'Drop the certificate or passthrough; give the passthrough frontend backends of its own, without tls, with sticky: source to keep clients on one server.',
    examples: [
      {
        where: 'sites[].haproxy',
        bad: 'frontends:\n  - { name: https, bind: 0.0.0.0:443, interface: wan, certificate: wildcard, http_redirect: true, default_backend: web }\n  - { name: nas, bind: 0.0.0.0:8443, interface: wan, passthrough: true, default_backend: web }\nbackends:\n  - { name: web, servers: [{ service: traefik }] }\n  - { name: nas, servers: [{ name: nas, address: 10.1.0.50, port: 443 }] }',
        good: 'frontends:\n  - { name: https, bind: 0.0.0.0:443, interface: wan, certificate: wildcard, http_redirect: true, default_backend: web }\n  - { name: nas, bind: 0.0.0.0:8443, interface: wan, passthrough: true, default_backend: nas }\nbackends:\n  - { name: web, servers: [{ service: traefik }] }\n  - { name: nas, servers: [{ name: nas, address: 10.1.0.50, port: 443 }] }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const { frontends, backends } = site.haproxy;
        // The first HTTP and the first passthrough frontend that send to each backend (by default or for a host).
        const firstUser = { http: new Map<string, HaproxyFrontend>(), tcp: new Map<string, HaproxyFrontend>() };
        for (const frontend of frontends) {
          const users = frontend.passthrough ? firstUser.tcp : firstUser.http;
          const sent = frontend.hosts.map((h) => h.backend);
          if (frontend.defaultBackend !== undefined) sent.unshift(frontend.defaultBackend);
          for (const backend of sent) if (!users.has(backend)) users.set(backend, frontend);
        }
        for (const frontend of frontends) {
          if (frontend.passthrough && frontend.certificates.length > 0) {
            report({
              path: frontend.path.concat('certificate'),
              message: `frontend ${frontend.name} passes TLS through, so it cannot offload it with a certificate`,
              hint: `Remove the certificate from frontend ${frontend.name} (its backends hold their own), or remove passthrough to offload TLS on the firewall.`,
            });
          }
        }
        for (const backend of backends) {
          const http = firstUser.http.get(backend.name);
          const tcp = firstUser.tcp.get(backend.name);
          if (http && tcp) {
            report({
              path: backend.path.concat('name'),
              message: `backend ${backend.name} serves HTTP frontend ${http.name} and passthrough frontend ${tcp.name}`,
              hint: `Give passthrough frontend ${tcp.name} a backend of its own, with the servers' TLS port and without tls.`,
            });
          } else if (tcp && backend.tls) {
            report({
              path: backend.path.concat('tls'),
              message: `backend ${backend.name} receives TLS passed through by frontend ${tcp.name} and cannot wrap it in TLS again`,
              hint: `Remove tls (and verify, ca, sni) from backend ${backend.name}: the client's TLS already reaches its servers.`,
            });
          } else if (tcp && backend.sticky === 'cookie') {
            report({
              path: backend.path.concat('sticky'),
              message: `backend ${backend.name} receives TLS passed through by frontend ${tcp.name}, so it cannot keep clients by a cookie inside it`,
              hint: `Set sticky: source on backend ${backend.name} (the client's address), or offload TLS on frontend ${tcp.name} with a certificate.`,
            });
          }
        }
      }
    },
  },
  {
    id: 'haproxy/redirect-target',
    severity: 'error',
    summary: 'http_redirect sends clients to an HTTPS the frontend does not serve: it listens on another port than 443, or offloads no TLS.',
    why:
      "The redirect is HAProxy's 'redirect scheme https': the Location keeps the host name and drops the port, so browsers go to https://<host>/ on port 443. " +
      'A frontend on another port (8443) sends them where it does not listen (on OPNsense often the web GUI), and one without a certificate speaks plain HTTP where they expect TLS.',
    hint: 'Bind the frontend to port 443 with a certificate, or remove http_redirect.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].haproxy.frontends[https]',
        text: true,
        bad: 'name: https\nbind: 0.0.0.0:443\ninterface: wan\nhttp_redirect: true\ndefault_backend: web-pool',
        good: 'name: https\nbind: 0.0.0.0:443\ninterface: wan\ncertificate: wildcard\nhttp_redirect: true\ndefault_backend: web-pool',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const frontend of site.haproxy.frontends) {
          if (!frontend.httpRedirect) continue;
          if (frontend.port !== 443) {
            report({
              path: frontend.path.concat('http_redirect'),
              message: `frontend ${frontend.name} redirects HTTP to https:// on port 443, but it listens on port ${frontend.port}`,
              hint: `Bind frontend ${frontend.name} to port 443, or remove its http_redirect.`,
            });
          } else if (!frontend.passthrough && frontend.certificates.length === 0) {
            report({
              path: frontend.path.concat('http_redirect'),
              message: `frontend ${frontend.name} redirects HTTP to HTTPS, but it offloads no TLS (it has no certificate): it answers the redirected clients in plain HTTP`,
              hint: `Give frontend ${frontend.name} a certificate, or remove its http_redirect.`,
            });
          }
        }
      }
    },
  },
  {
    id: 'haproxy/backend-plain-tls-port',
    severity: 'warning',
    summary: 'An HTTP backend server listens on port 443 but the backend does not speak TLS to it.',
    why: 'A server on 443 expects TLS: plain HTTP gets a 400 or a reset, and the health check marks the server down.',
    hint: 'Set tls: true on the backend (with verify: ca and the CA, or verify: none for a self-signed server), or use the server\'s plain HTTP port.',
    examples: [
      {
        where: 'sites[].haproxy.backends[web]',
        bad: 'servers:\n  - { name: nas, address: 10.1.0.50, port: 443 }',
        good: 'tls: true\nverify: none\nservers:\n  - { name: nas, address: 10.1.0.50, port: 443 }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const backend of site.haproxy.backends) {
          if (backend.tls || backend.mode !== 'http') continue;
          for (const server of backend.servers) {
            if (TLS_PORTS.has(server.port)) {
              report({
                path: server.path,
                message: `backend ${backend.name} speaks plain HTTP to ${server.name} on port ${server.port}`,
                hint: `Set tls: true on backend ${backend.name} (with verify: ca and its ca, or verify: none for a self-signed ${server.name}), or use the plain HTTP port of ${server.name}.`,
              });
            }
          }
        }
      }
    },
  },
];
