// Names the WireGuard tools accept. wg-quick takes the interface name from
// the file name (wg-quick/linux.bash: `[a-zA-Z0-9_=+.-]{1,15}`, IFNAMSIZ),
// and so do the apps that import a file (the Android app's Tunnel name
// pattern is the same).
export const INTERFACE_NAME = /^[a-zA-Z0-9_=+.-]{1,15}$/;

/** Device names Windows reserves, which the Windows app refuses as tunnel names (wireguard-windows conf/name.go, reservedNames). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/**
 * Why the WireGuard Windows app refuses a tunnel name that INTERFACE_NAME
 * lets through (conf/name.go, TunnelNameIsValid: the part before the first
 * "." must not be a reserved device name, and the name must not start or
 * end with "."); undefined when it takes it.
 */
export function windowsRefusal(stem: string): string | undefined {
  const device = stem.split('.')[0]!;
  if (WINDOWS_RESERVED.test(device)) return `${device.toUpperCase()} is a device name Windows reserves`;
  if (stem.startsWith('.') || stem.endsWith('.')) return `it ${stem.startsWith('.') ? 'starts' : 'ends'} with "."`;
  return undefined;
}

/**
 * The stem of a client file, which is the tunnel's name once imported: the
 * instance name first when a site has several instances (peer names are
 * unique per instance only), then the peer's tunnel name, then -lan for the
 * file with the LAN endpoint. It must match INTERFACE_NAME to import as is.
 */
export function clientFileStem(instance: string, tunnelName: string, options: { lan: boolean; instancePrefix: boolean }): string {
  return `${options.instancePrefix ? `${instance}-` : ''}${tunnelName}${options.lan ? '-lan' : ''}`;
}

/**
 * A WireGuard endpoint host: an IPv4 address, or a DNS name whose labels are
 * letters, digits and inner "-" and whose last label starts with a letter
 * (no wildcard: a client resolves the name, and "*" names nothing).
 * schema/topology.schema.json's endpointHost is the same pattern.
 */
export const ENDPOINT_HOST =
  /^(?:(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}|(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)$/;
