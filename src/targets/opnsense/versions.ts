// Model versions per OPNsense release series (OPNsense reference §6). Each
// MVC section carries the version of the release the topology targets, so
// no migration runs when the configuration is restored.
export type ModelName =
  | 'wireguardGeneral'
  | 'wireguardServer'
  | 'wireguardClient'
  | 'alias'
  | 'ifgroups'
  | 'vlans'
  | 'gateways'
  | 'staticroutes'
  | 'dnsmasq'
  | 'haproxy'
  | 'acme';

const TABLE: Record<ModelName, Record<string, string>> = {
  wireguardGeneral: { '24.1': '0.0.1', '24.7': '0.0.1', '25.1': '0.0.1', '25.7': '0.0.1', '26.1': '0.0.1' },
  wireguardServer: { '24.1': '1.0.0', '24.7': '1.0.0', '25.1': '1.0.0', '25.7': '1.0.1', '26.1': '1.0.1' },
  wireguardClient: { '24.1': '1.0.0', '24.7': '1.0.0', '25.1': '1.0.0', '25.7': '1.0.0', '26.1': '1.0.0' },
  alias: { '24.1': '1.0.1', '24.7': '1.0.1', '25.1': '1.0.1', '25.7': '1.0.1', '26.1': '1.0.1' },
  ifgroups: { '24.1': '1.0.0', '24.7': '1.0.0', '25.1': '1.0.0', '25.7': '1.0.0', '26.1': '1.0.0' },
  vlans: { '24.1': '1.0.0', '24.7': '1.0.0', '25.1': '1.0.0', '25.7': '1.0.0', '26.1': '1.0.0' },
  gateways: { '24.1': '1.0.0', '24.7': '1.0.0', '25.1': '1.0.0', '25.7': '1.0.0', '26.1': '1.0.0' },
  staticroutes: { '24.1': '1.0.0', '24.7': '1.0.0', '25.1': '1.0.0', '25.7': '1.0.0', '26.1': '1.0.1' },
  dnsmasq: { '25.1': '1.0.7', '25.7': '1.0.8', '26.1': '1.0.9' },
  haproxy: { '24.1': '4.1.0', '24.7': '4.1.0', '25.1': '4.1.0', '25.7': '4.1.0', '26.1': '5.0.0' },
  acme: { '24.1': '4.1.0', '24.7': '4.2.0', '25.1': '4.2.0', '25.7': '4.3.0', '26.1': '4.4.0' },
};

/**
 * The model version for a release. Point releases that changed a model
 * inside a series are honoured (25.7.0-25.7.5 keep WireGuard server 1.0.0,
 * 25.7.0-25.7.1 keep dnsmasq 1.0.7, 26.1.0-26.1.1 keep HAProxy 4.1.0); a
 * bare series means its latest release.
 */
export function modelVersion(model: ModelName, series: string, release: string): string | undefined {
  const point = release.split('.').length > 2 ? Number(release.split('.')[2]) : undefined;
  if (point !== undefined && series === '24.1') {
    if (model === 'wireguardServer' && point < 6) return '0.0.4';
    if (model === 'wireguardClient' && point < 4) return '0.0.7';
  }
  if (point !== undefined && series === '25.1' && model === 'dnsmasq') {
    if (point < 2) return undefined;
    if (point < 6) return '1.0.0';
    if (point < 8) return '1.0.5';
    if (point < 10) return '1.0.6';
  }
  if (point !== undefined && series === '25.7') {
    if (model === 'wireguardServer' && point < 6) return '1.0.0';
    if (model === 'dnsmasq' && point < 2) return '1.0.7';
  }
  // os-haproxy 5 (model 5.0.0) ships from 26.1.2 on.
  if (point !== undefined && series === '26.1' && model === 'haproxy' && point < 2) return '4.1.0';
  return TABLE[model][series];
}
