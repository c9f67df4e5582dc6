// Scenario A serving two web applications on one HTTPS frontend: Nextcloud
// over TLS (verified against a CA on the firewall) and Jellyfin in plain
// HTTP, each with an HTTP health check; variants for per-host certificates
// and TLS passthrough.
import { edit, readExample } from '../helpers.js';

const A = ['sites', 0] as const;

export const HOME_CA = '64f1c0d2a9b3e';

export function hostsTopology(options: { perHost?: boolean; passthrough?: boolean; release?: string } = {}): string {
  let yaml = readExample('homelab');
  if (options.release) yaml = edit(yaml, [...A, 'firewall', 'release'], options.release);
  yaml = edit(yaml, [...A, 'services', 4], { name: 'nextcloud', network: 'service', address: '10.1.0.130', port: 443 });
  yaml = edit(yaml, [...A, 'services', 5], { name: 'jellyfin', network: 'service', address: '10.1.0.140', port: 8096 });
  const hosts = [
    { name: 'cloud.example.org', backend: 'nextcloud' },
    { name: 'media.example.org', backend: 'jellyfin' },
  ];
  if (options.passthrough) {
    return edit(yaml, [...A, 'haproxy'], {
      frontends: [{ name: 'tls', bind: '0.0.0.0:443', passthrough: true, hosts }],
      backends: [
        { name: 'nextcloud', servers: [{ service: 'nextcloud' }] },
        { name: 'jellyfin', check: 'tcp', servers: [{ service: 'jellyfin', port: 8920 }] },
      ],
    });
  }
  return edit(yaml, [...A, 'haproxy'], {
    certificates: [{ name: 'web', challenge: 'http-01', ...(options.perHost ? { per_host: true } : {}) }],
    frontends: [{ name: 'https', bind: '0.0.0.0:443', certificate: 'web', http_redirect: true, hosts }],
    backends: [
      { name: 'nextcloud', tls: true, verify: 'ca', ca: HOME_CA, sni: 'cloud.example.org', check: 'http /status.php', servers: [{ service: 'nextcloud' }] },
      { name: 'jellyfin', check: 'http /health', servers: [{ service: 'jellyfin' }] },
    ],
  });
}
