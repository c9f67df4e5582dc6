// The parsers of the official WireGuard apps, ported rule for rule, for
// tests: wg-quick takes keys and values that the apps refuse on import
// (Table, PostUp, SaveConfig, an empty value, a repeated key), and a client
// file that wg-quick runs can still fail on a phone or on Windows. Each rule
// names the upstream function it comes from:
//   WireGuard/wireguard-android (e7b3a3c1) tunnel/src/main/java/com/wireguard/...
//   WireGuard/wireguard-apple (2fec12a6) Sources/...
//   WireGuard/wireguard-windows (5a7d225d) conf/parser.go, conf/name.go
// Where an app hands a value to its platform (Android's
// InetAddresses.parseNumericAddress, Apple's Network.framework IPv4Address,
// Go's netip) the port is as strict as the platform or stricter, so a value
// it accepts the app accepts too.
import { isIPv4, isIPv6 } from 'node:net';

export type App = 'android' | 'apple' | 'windows';

/** What an app reads from a file, in its own terms. */
export interface AppTunnel {
  /** Standard base64 of the 32 bytes the app decoded. */
  privateKey: string;
  /** "address/prefix length" (the whole length when the value has none). */
  addresses: string[];
  dns: string[];
  dnsSearch: string[];
  mtu?: number;
  listenPort?: number;
  peers: AppPeer[];
}

export interface AppPeer {
  publicKey: string;
  allowedIps: string[];
  endpoint?: { host: string; port: number };
  /** Undefined where the app keeps none (Android maps 0 to none; Windows keeps 0). */
  keepalive?: number;
  /** Standard base64 of the 32 bytes the app decoded from PresharedKey; undefined without one. */
  presharedKey?: string;
}

/** The app refuses the file: `reason` is the upstream's own name or message for the refusal. */
export class AppRefusal extends Error {
  constructor(
    readonly app: App,
    readonly reason: string,
    readonly offender: string,
  ) {
    super(`${app}: ${reason}: ${JSON.stringify(offender)}`);
  }
}

type Refuse = (reason: string, offender: string) => never;

function refuser(app: App): Refuse {
  return (reason, offender) => {
    throw new AppRefusal(app, reason, offender);
  };
}

type Section = 'none' | 'interface' | 'peer';

// ---------------------------------------------------------------------------
// Android and Apple: the same constant-time decoder.

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * android tunnel/.../crypto/Key.java Key.fromBase64 and apple Sources/WireGuardKitC/key.c key_from_base64:
 * exactly 44 characters, the last '=', the other 43 in the standard alphabet, and the two low bits of the 43rd
 * zero (the decoder completes the last group with 'A' and refuses any bit left in its low byte).
 */
function wgKeyFromBase64(text: string): string | undefined {
  if (text.length !== 44 || text[43] !== '=') return undefined;
  for (let i = 0; i < 43; i++) if (!BASE64.includes(text[i]!)) return undefined;
  if ((BASE64.indexOf(text[42]!) & 3) !== 0) return undefined;
  return Buffer.from(text, 'base64').toString('base64');
}

// ---------------------------------------------------------------------------
// wireguard-android, tunnel/src/main/java/com/wireguard/config/

/** Java's String.trim: every character up to U+0020 at both ends. */
const javaTrim = (s: string) => s.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
/** Java's regex \s (ASCII, no UNICODE_CHARACTER_CLASS). */
const JS = '[ \\t\\n\\x0B\\f\\r]';
/** Attribute.java LINE_PATTERN "(\\w+)\\s*=\\s*([^\\s#][^#]*)", used with matches(): the whole line. */
const ANDROID_LINE = new RegExp(`^(\\w+)${JS}*=${JS}*([^ \\t\\n\\x0B\\f\\r#][^#]*)$`);
/** Attribute.java LIST_SEPARATOR "\\s*,\\s*". */
const ANDROID_LIST = new RegExp(`${JS}*,${JS}*`);

/** Attribute.java split: Pattern.split(value), which drops trailing empty strings (a leading or inner one stays). */
function androidSplit(value: string): string[] {
  const parts = value.split(ANDROID_LIST);
  while (parts.length > 0 && parts.at(-1) === '') parts.pop();
  return parts;
}

/** java.lang.Integer.parseInt (ASCII digits): an optional sign, digits, within 32 bits. */
function javaParseInt(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : undefined;
}

/**
 * InetAddresses.java WONT_TOUCH_RESOLVER: the numeric literals InetAddresses.parse takes without a lookup
 * (parseNumericAddress, which it calls on Android 10 and later, takes no more).
 */
const ANDROID_NUMERIC =
  /^(((([0-9A-Fa-f]{1,4}:){7}([0-9A-Fa-f]{1,4}|:))|(([0-9A-Fa-f]{1,4}:){6}(:[0-9A-Fa-f]{1,4}|((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(([0-9A-Fa-f]{1,4}:){5}(((:[0-9A-Fa-f]{1,4}){1,2})|:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(([0-9A-Fa-f]{1,4}:){4}(((:[0-9A-Fa-f]{1,4}){1,3})|((:[0-9A-Fa-f]{1,4})?:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){3}(((:[0-9A-Fa-f]{1,4}){1,4})|((:[0-9A-Fa-f]{1,4}){0,2}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){2}(((:[0-9A-Fa-f]{1,4}){1,5})|((:[0-9A-Fa-f]{1,4}){0,3}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){1}(((:[0-9A-Fa-f]{1,4}){1,6})|((:[0-9A-Fa-f]{1,4}){0,4}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(:(((:[0-9A-Fa-f]{1,4}){1,7})|((:[0-9A-Fa-f]{1,4}){0,5}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:)))(%.+)?)|((?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))$/;
/** InetAddresses.java VALID_HOSTNAME (isHostname): a DNS item that is no address but a host name is a search domain. */
const ANDROID_HOSTNAME = /^(?=.{1,255}$)[0-9A-Za-z](?:(?:[0-9A-Za-z]|-){0,61}[0-9A-Za-z])?(?:\.[0-9A-Za-z](?:(?:[0-9A-Za-z]|-){0,61}[0-9A-Za-z])?)*\.?$/;

/** ParseException.java: a value parser's failure, which Interface/Peer rethrow as a BadConfigException of the key's Location. */
class AndroidParse extends Error {
  constructor(
    readonly why: string,
    readonly text: string,
  ) {
    super(why);
  }
}

/** InetAddresses.java parse: "Empty address", else a numeric literal, else "Not an IP address". */
function androidAddress(text: string): string {
  if (text === '') throw new AndroidParse('Empty address', text);
  if (!ANDROID_NUMERIC.test(text)) throw new AndroidParse('Not an IP address', text);
  return text;
}

/** InetNetwork.java parse: the mask after the last '/' (Integer.parseInt), at most 32 or 128; without one the whole length. */
function androidNetwork(text: string): string {
  const slash = text.lastIndexOf('/');
  let rawMask = -1;
  let rawAddress = text;
  if (slash >= 0) {
    const mask = javaParseInt(text.slice(slash + 1));
    if (mask === undefined) throw new AndroidParse('NumberFormatException', text.slice(slash + 1));
    rawMask = mask;
    rawAddress = text.slice(0, slash);
  }
  const address = androidAddress(rawAddress);
  const maxMask = isIPv4(address) ? 32 : 128;
  if (rawMask > maxMask) throw new AndroidParse('Invalid network mask', text);
  return `${address}/${rawMask >= 0 ? rawMask : maxMask}`;
}

/**
 * java.net.URI's server-based authority (RFC 2396 section 3.2.2; URI.Parser parseServer, parseHostname,
 * parseIPv4Address), for "wg://" + endpoint: a bracketed IPv6 literal, a dotted IPv4 address, or a host name whose
 * labels are letters, digits and inner '-' and whose last label starts with a letter; then ':' and digits. Anything
 * else leaves a registry-based authority: getHost() null, getPort() -1.
 */
function javaUriServer(authority: string): { host: string; port: number } | 'syntax' | 'registry' {
  if (/[^A-Za-z0-9\-._~!$&'()*+,;=:@[\]%]/.test(authority)) return 'syntax';
  const server = authority.slice(authority.indexOf('@') + 1);
  let host: string;
  if (server.startsWith('[')) {
    const close = server.indexOf(']');
    if (close < 0 || !isIPv6(server.slice(1, close))) return 'syntax';
    host = server.slice(0, close + 1);
  } else {
    const v4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}(?=:|$)/.exec(server);
    const name = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?\.?(?=:|$)/.exec(server);
    const match = v4 ?? name;
    if (!match) return 'registry';
    host = match[0];
  }
  const rest = server.slice(host.length);
  if (rest === '' || rest === ':') return { host, port: -1 };
  const port = /^:([0-9]+)$/.exec(rest);
  if (!port) return 'registry';
  const n = javaParseInt(port[1]!);
  return n === undefined ? 'syntax' : { host, port: n };
}

/** InetEndpoint.java parse: FORBIDDEN_CHARACTERS "[/?#]", new URI("wg://" + endpoint), getPort() within 0 to 65535. */
function androidEndpoint(text: string): { host: string; port: number } {
  if (/[/?#]/.test(text)) throw new AndroidParse('Forbidden characters', text);
  const uri = javaUriServer(text);
  if (uri === 'syntax') throw new AndroidParse('URISyntaxException', text);
  if (uri === 'registry' || uri.port < 0 || uri.port > 65535) throw new AndroidParse('Missing/invalid port number', text);
  return uri;
}

/** A value parser's ParseException as Interface/Peer rethrow it: BadConfigException(section, location, e). */
function androidValue<T>(refuse: Refuse, location: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof AndroidParse) return refuse(`${location}: ${e.why}`, e.text);
    throw e;
  }
}

/**
 * Config.java parse: '#' to the end of a line is a comment, each line trimmed; "[Interface]" and "[Peer]" in any
 * case; another '[' line, or a line before any section, is UNKNOWN_SECTION; the [Interface] sections are combined,
 * each [Peer] read alone. A refusal is a BadConfigException: its Reason (BadConfigException.java), or the Location
 * and the ParseException of a value.
 */
export function parseAndroid(text: string): AppTunnel {
  const refuse = refuser('android');
  const interfaceLines: string[] = [];
  const peers: AppPeer[] = [];
  let peerLines: string[] = [];
  let section: Section = 'none';
  let seenInterface = false;
  // BufferedReader.readLine ends a line at \n, \r or \r\n.
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const comment = raw.indexOf('#');
    const line = javaTrim(comment === -1 ? raw : raw.slice(0, comment));
    if (line === '') continue;
    if (line.startsWith('[')) {
      if (section === 'peer') {
        peers.push(androidPeer(peerLines, refuse));
        peerLines = [];
      }
      if (line.toLowerCase() === '[interface]') {
        section = 'interface';
        seenInterface = true;
      } else if (line.toLowerCase() === '[peer]') section = 'peer';
      else refuse('UNKNOWN_SECTION', line);
    } else if (section === 'interface') interfaceLines.push(line);
    else if (section === 'peer') peerLines.push(line);
    else refuse('UNKNOWN_SECTION', line);
  }
  if (section === 'peer') peers.push(androidPeer(peerLines, refuse));
  if (!seenInterface) refuse('MISSING_SECTION', '');
  return { ...androidInterface(interfaceLines, refuse), peers };
}

/**
 * A number key's Builder.parseX and setX: Integer.parseInt (a NumberFormatException is refused with the key's
 * Location), then 0 to `max` (else INVALID_VALUE); 0 is none (Optional.empty()).
 */
function androidNumber(value: string, location: string, max: number, refuse: Refuse): number | undefined {
  const n = javaParseInt(value) ?? refuse(`${location}: NumberFormatException`, value);
  if (n < 0 || n > max) refuse('INVALID_VALUE', value);
  return n === 0 ? undefined : n;
}

/** Attribute.parse of each line of a section, as Interface.parse and Peer.parse take them: a line LINE_PATTERN does not match is SYNTAX_ERROR. */
function* androidAttributes(lines: string[], refuse: Refuse): Generator<[key: string, value: string]> {
  for (const line of lines) {
    const attribute = ANDROID_LINE.exec(line) ?? refuse('SYNTAX_ERROR', line);
    yield [attribute[1]!, attribute[2]!];
  }
}

/**
 * Interface.java parse: each line must match Attribute.LINE_PATTERN (so no empty value); the
 * keys Address, DNS, ExcludedApplications, IncludedApplications, ListenPort, MTU and PrivateKey in any case, any
 * other UNKNOWN_ATTRIBUTE; a key may repeat (a list adds to a LinkedHashSet, a single value is replaced).
 * Builder.build: a PrivateKey is required (MISSING_ATTRIBUTE).
 */
function androidInterface(lines: string[], refuse: Refuse): Omit<AppTunnel, 'peers'> {
  const addresses = new Set<string>();
  const dns = new Set<string>();
  const dnsSearch = new Set<string>();
  let privateKey: string | undefined;
  let mtu: number | undefined;
  let listenPort: number | undefined;
  for (const [key, value] of androidAttributes(lines, refuse)) {
    switch (key.toLowerCase()) {
      case 'address':
        // Builder.parseAddresses: InetNetwork.parse of each item.
        for (const item of androidSplit(value)) addresses.add(androidValue(refuse, 'ADDRESS', () => androidNetwork(item)));
        break;
      case 'dns':
        // Builder.parseDnsServers: an address, else a host name (a search domain), else the address's ParseException.
        for (const item of androidSplit(value)) {
          if (item !== '' && ANDROID_NUMERIC.test(item)) dns.add(item);
          else if (ANDROID_HOSTNAME.test(item)) dnsSearch.add(item);
          else androidValue(refuse, 'DNS', () => androidAddress(item));
        }
        break;
      case 'excludedapplications':
      case 'includedapplications':
        break;
      case 'listenport':
        // Builder.parseListenPort, setListenPort: 0 to 65535.
        listenPort = androidNumber(value, 'LISTEN_PORT', 65535, refuse);
        break;
      case 'mtu':
        // Builder.parseMtu, setMtu: not negative.
        mtu = androidNumber(value, 'MTU', Infinity, refuse);
        break;
      case 'privatekey':
        privateKey = wgKeyFromBase64(value) ?? refuse('PRIVATE_KEY: KeyFormatException', value);
        break;
      default:
        refuse('UNKNOWN_ATTRIBUTE', key);
    }
  }
  if (privateKey === undefined) return refuse('MISSING_ATTRIBUTE', 'PrivateKey');
  return { privateKey, addresses: [...addresses], dns: [...dns], dnsSearch: [...dnsSearch], mtu, listenPort };
}

/**
 * Peer.java parse: the keys AllowedIPs, Endpoint, PersistentKeepalive, PreSharedKey and PublicKey in any case, any
 * other UNKNOWN_ATTRIBUTE. Builder.build: a PublicKey is required.
 */
function androidPeer(lines: string[], refuse: Refuse): AppPeer {
  const allowedIps = new Set<string>();
  let publicKey: string | undefined;
  let endpoint: AppPeer['endpoint'];
  let keepalive: number | undefined;
  let presharedKey: string | undefined;
  for (const [key, value] of androidAttributes(lines, refuse)) {
    switch (key.toLowerCase()) {
      case 'allowedips':
        for (const item of androidSplit(value)) allowedIps.add(androidValue(refuse, 'ALLOWED_IPS', () => androidNetwork(item)));
        break;
      case 'endpoint':
        endpoint = androidValue(refuse, 'ENDPOINT', () => androidEndpoint(value));
        break;
      case 'persistentkeepalive':
        // Builder.parsePersistentKeepalive, setPersistentKeepalive: 0 to MAX_PERSISTENT_KEEPALIVE (65535).
        keepalive = androidNumber(value, 'PERSISTENT_KEEPALIVE', 65535, refuse);
        break;
      case 'presharedkey':
        presharedKey = wgKeyFromBase64(value) ?? refuse('PRE_SHARED_KEY: KeyFormatException', value);
        break;
      case 'publickey':
        publicKey = wgKeyFromBase64(value) ?? refuse('PUBLIC_KEY: KeyFormatException', value);
        break;
      default:
        refuse('UNKNOWN_ATTRIBUTE', key);
    }
  }
  if (publicKey === undefined) return refuse('MISSING_ATTRIBUTE', 'PublicKey');
  return Object.assign({ publicKey, allowedIps: [...allowedIps], endpoint, keepalive }, presharedKey === undefined ? {} : { presharedKey });
}

/** tunnel/.../android/backend/Tunnel.java NAME_PATTERN, which TunnelManager.create checks on the name TunnelImporter takes from the file name. */
export function androidTunnelNameIsValid(name: string): boolean {
  return /^[a-zA-Z0-9_=+.-]{1,15}$/.test(name);
}

// ---------------------------------------------------------------------------
// wireguard-apple

/** Foundation's whitespacesAndNewlines (Unicode White_Space), as trimmingCharacters(in:) uses it; Go's strings.TrimSpace is the same set. */
const unicodeTrim = (s: string) => s.replace(/^[\s\u0085]+|[\s\u0085]+$/g, '');

/** Swift's UInt16(String) / UInt8(String): an optional '+', decimal digits, within range. */
function swiftUInt(s: string, max: number): number | undefined {
  if (!/^\+?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}

/** Sources/Shared/Model/String+ArrayConversion.swift splitToArray: split(separator: ","), which leaves out empty pieces, each trimmed. */
const appleSplit = (value: string) =>
  value
    .split(',')
    .filter((piece) => piece !== '')
    .map(unicodeTrim);

/** Network.framework IPv4Address(String) / IPv6Address(String), taken as strictly as inet_pton (no zone). */
const appleIp = (text: string) => isIPv4(text) || (isIPv6(text) && !text.includes('%'));

/**
 * Sources/WireGuardKit/IPAddressRange.swift parseAddressString: the length after the last '/' as a UInt8, capped
 * at the address's (min(npl, max): /33 reads as /32); without '/' the whole length; '/' with nothing after refused.
 */
function appleRange(text: string): string | undefined {
  const slash = text.lastIndexOf('/');
  const address = slash >= 0 ? text.slice(0, slash) : text;
  if (!appleIp(address)) return undefined;
  const max = isIPv4(address) ? 32 : 128;
  if (slash < 0) return `${address}/${max}`;
  const length = swiftUInt(text.slice(slash + 1), 255);
  return length === undefined ? undefined : `${address}/${Math.min(length, max)}`;
}

/** Foundation's CharacterSet.urlHostAllowed. */
const URL_HOST_ALLOWED = /^[A-Za-z0-9!$&'()*+,\-.:;=[\]_~]*$/;

/**
 * Sources/WireGuardKit/Endpoint.swift init?(from:): "[v6]:port", else the host ends at the FIRST ':'; the port is
 * NWEndpoint.Port(String) (a UInt16); the host only of urlHostAllowed characters.
 */
function appleEndpoint(text: string): { host: string; port: number } | undefined {
  if (text === '') return undefined;
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']', 1);
    if (close < 0 || close + 1 === text.length || text[close + 1] !== ':') return undefined;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.indexOf(':');
    if (colon < 0) return undefined;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  const port = swiftUInt(portText, 65535);
  if (port === undefined || !URL_HOST_ALLOWED.test(host)) return undefined;
  return { host, port };
}

const APPLE_INTERFACE_KEYS = new Set(['privatekey', 'listenport', 'address', 'dns', 'mtu']);
const APPLE_PEER_KEYS = new Set(['publickey', 'presharedkey', 'allowedips', 'endpoint', 'persistentkeepalive']);
/** keysWithMultipleEntriesAllowed: any other key given twice in one section is multipleEntriesForKey. */
const APPLE_REPEATABLE = new Set(['address', 'allowedips', 'dns']);

/**
 * Sources/Shared/Model/TunnelConfiguration+WgQuickConfig.swift init(fromWgQuickConfig:called:): lines split at
 * newlines (empty ones left out), '#' to the end a comment, "key = value" with the key in any case; Address,
 * AllowedIPs and DNS may repeat (joined with ','), any other key given twice is multipleEntriesForKey; a key
 * outside its section's set is interfaceHasUnrecognizedKey / peerHasUnrecognizedKey; a line without '=' that is
 * no section header is invalidLine. A section is read (collate) at the next header or the last line. The refusal
 * is the ParseError case.
 */
export function parseApple(text: string): AppTunnel {
  const refuse = refuser('apple');
  // String.split { $0.isNewline } omits empty pieces; "\r\n" is one Character.
  const lines = text.split(/\r\n|[\n\r\u000B\f\u0085\u2028\u2029]/).filter((l) => l !== '');
  let state: Section = 'none';
  let attributes = new Map<string, string>();
  let iface: Omit<AppTunnel, 'peers'> | undefined;
  const peers: AppPeer[] = [];
  lines.forEach((line, index) => {
    const comment = line.indexOf('#');
    const trimmed = unicodeTrim(comment >= 0 ? line.slice(0, comment) : line);
    const lower = trimmed.toLowerCase();
    const header = lower === '[interface]' || lower === '[peer]';
    if (trimmed !== '') {
      const eq = trimmed.indexOf('=');
      if (eq >= 0) {
        const keyWithCase = unicodeTrim(trimmed.slice(0, eq));
        const key = keyWithCase.toLowerCase();
        const value = unicodeTrim(trimmed.slice(eq + 1));
        const present = attributes.get(key);
        if (present === undefined) attributes.set(key, value);
        else if (APPLE_REPEATABLE.has(key)) attributes.set(key, `${present},${value}`);
        else refuse('multipleEntriesForKey', keyWithCase);
        if (state === 'interface' && !APPLE_INTERFACE_KEYS.has(key)) refuse('interfaceHasUnrecognizedKey', keyWithCase);
        if (state === 'peer' && !APPLE_PEER_KEYS.has(key)) refuse('peerHasUnrecognizedKey', keyWithCase);
      } else if (!header) refuse('invalidLine', line);
    }
    if (index === lines.length - 1 || header) {
      if (state === 'interface') {
        const read = appleInterface(attributes, refuse);
        if (iface !== undefined) refuse('multipleInterfaces', '');
        iface = read;
      } else if (state === 'peer') peers.push(applePeer(attributes, refuse));
    }
    if (header) {
      state = lower === '[interface]' ? 'interface' : 'peer';
      attributes = new Map();
    }
  });
  if (new Set(peers.map((p) => p.publicKey)).size !== peers.length) refuse('multiplePeersWithSamePublicKey', '');
  if (iface === undefined) return refuse('noInterface', '');
  return { ...iface, peers };
}

/** collate(interfaceAttributes:). */
function appleInterface(attributes: Map<string, string>, refuse: Refuse): Omit<AppTunnel, 'peers'> {
  const key = attributes.get('privatekey') ?? refuse('interfaceHasNoPrivateKey', '');
  const result: Omit<AppTunnel, 'peers'> = { privateKey: wgKeyFromBase64(key) ?? refuse('interfaceHasInvalidPrivateKey', key), addresses: [], dns: [], dnsSearch: [] };
  const listenPort = attributes.get('listenport');
  if (listenPort !== undefined) result.listenPort = swiftUInt(listenPort, 65535) ?? refuse('interfaceHasInvalidListenPort', listenPort);
  const addresses = attributes.get('address');
  if (addresses !== undefined) result.addresses = appleSplit(addresses).map((a) => appleRange(a) ?? refuse('interfaceHasInvalidAddress', a));
  const dns = attributes.get('dns');
  // DNSServer(from:): an address, else the item is a search domain.
  if (dns !== undefined) for (const item of appleSplit(dns)) (appleIp(item) ? result.dns : result.dnsSearch).push(item);
  const mtu = attributes.get('mtu');
  if (mtu !== undefined) result.mtu = swiftUInt(mtu, 65535) ?? refuse('interfaceHasInvalidMTU', mtu);
  return result;
}

/** collate(peerAttributes:). */
function applePeer(attributes: Map<string, string>, refuse: Refuse): AppPeer {
  const key = attributes.get('publickey') ?? refuse('peerHasNoPublicKey', '');
  const peer: AppPeer = { publicKey: wgKeyFromBase64(key) ?? refuse('peerHasInvalidPublicKey', key), allowedIps: [] };
  const psk = attributes.get('presharedkey');
  if (psk !== undefined) peer.presharedKey = wgKeyFromBase64(psk) ?? refuse('peerHasInvalidPreSharedKey', psk);
  const allowed = attributes.get('allowedips');
  if (allowed !== undefined) peer.allowedIps = appleSplit(allowed).map((a) => appleRange(a) ?? refuse('peerHasInvalidAllowedIP', a));
  const endpoint = attributes.get('endpoint');
  if (endpoint !== undefined) peer.endpoint = appleEndpoint(endpoint) ?? refuse('peerHasInvalidEndpoint', endpoint);
  const keepalive = attributes.get('persistentkeepalive');
  if (keepalive !== undefined) peer.keepalive = swiftUInt(keepalive, 65535) ?? refuse('peerHasInvalidPersistentKeepAlive', keepalive);
  return peer;
}

// ---------------------------------------------------------------------------
// wireguard-windows

/** Go's strconv.Atoi: an optional sign and ASCII digits, within 64 bits. */
function goAtoi(s: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(s) && Math.abs(Number(s)) < 2 ** 63 ? Number(s) : undefined;
}

/** Go's netip.ParseAddr: no leading zero in IPv4, an IPv6 zone allowed (node:net is as strict on both). */
const goParseAddr = (s: string) => isIPv4(s) || isIPv6(s);

/**
 * conf/parser.go parseIPCidr: netip.ParsePrefix (no zone; the length decimal without sign or leading zero, at most
 * the address's), else netip.ParseAddr with the whole length, else "Invalid IP address: ".
 */
function windowsCidr(s: string): string | undefined {
  const slash = s.lastIndexOf('/');
  if (slash < 0) return goParseAddr(s) ? `${s}/${isIPv4(s) ? 32 : 128}` : undefined;
  const address = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  const ok = goParseAddr(address) && !address.includes('%') && /^(0|[1-9][0-9]*)$/.test(bits) && Number(bits) <= (isIPv4(address) ? 32 : 128);
  return ok ? `${address}/${Number(bits)}` : undefined;
}

/**
 * conf/parser.go parseKeyBase64: base64.StdEncoding.DecodeString (padding required) must succeed ("Invalid key")
 * and give exactly 32 bytes ("Keys must decode to exactly 32 bytes").
 */
function windowsKey(s: string, refuse: Refuse): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return refuse('Invalid key', s);
  const bytes = Buffer.from(s, 'base64');
  return bytes.length === 32 ? bytes.toString('base64') : refuse('Keys must decode to exactly 32 bytes', s);
}

/** conf/parser.go splitList: split at ',', each item trimmed; an empty one is "Two commas in a row". */
function windowsSplit(s: string, refuse: Refuse): string[] {
  return s.split(',').map((piece) => {
    const trimmed = unicodeTrim(piece);
    return trimmed === '' ? refuse('Two commas in a row', s) : trimmed;
  });
}

/** conf/parser.go parsePort: Atoi, 0 to 65535. */
function windowsPort(s: string, refuse: Refuse): number {
  const n = goAtoi(s) ?? refuse('strconv.Atoi: invalid syntax', s);
  return n < 0 || n > 65535 ? refuse('Invalid port', s) : n;
}

/**
 * conf/parser.go parseEndpoint: the port after the LAST ':', a host of at least one character; a host with '[' or
 * ']' at an end or a ':' inside must be "[IPv6]" ("Brackets must contain an IPv6 address").
 */
function windowsEndpoint(s: string, refuse: Refuse): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  if (i < 0) refuse('Missing port from endpoint', s);
  let host = s.slice(0, i);
  if (host.length < 1) refuse('Invalid endpoint host', host);
  const port = windowsPort(s.slice(i + 1), refuse);
  const hostColon = host.indexOf(':');
  if (host[0] === '[' || host.at(-1) === ']' || hostColon > 0) {
    const brackets = () => refuse('Brackets must contain an IPv6 address', host);
    if (!(host.length > 3 && host[0] === '[' && host.at(-1) === ']' && hostColon > 0)) brackets();
    const percent = host.lastIndexOf('%');
    if (!isIPv6(host.slice(1, percent > 1 ? percent : host.length - 1))) brackets();
    host = host.slice(1, -1);
  }
  return { host, port };
}

/**
 * conf/name.go TunnelNameIsValid: not a reserved device name before the first '.' (isReserved), none of the
 * special characters and no '.' at either end (hasSpecialChars), and allowedNameFormat "^[a-zA-Z0-9_=+.-]{1,32}$".
 */
export function windowsTunnelNameIsValid(name: string): boolean {
  if (/^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])$/i.test(name.split('.')[0]!)) return false;
  if (/[/\\<>:"|?*\u0000-\u001f$]/.test(name) || name.startsWith('.') || name.endsWith('.')) return false;
  return /^[a-zA-Z0-9_=+.-]{1,32}$/.test(name);
}

/**
 * conf/parser.go FromWgQuick: the tunnel name first (TunnelNameIsValid), lines split at '\n', '#' to the end a
 * comment, "[Interface]" / "[Peer]" in any case without '=', every other line "key = value" inside a section with a
 * non-empty value ("Key must have a value"); the keys of each section (PreUp, PostUp, PreDown, PostDown and Table
 * are [Interface] keys here), any other "Invalid key for [Interface] section" / "[Peer] section". A key may repeat
 * (lists add, values are replaced). A PrivateKey is required, and a public key in every peer.
 */
export function parseWindows(text: string, name: string): AppTunnel {
  const refuse = refuser('windows');
  if (!windowsTunnelNameIsValid(name)) refuse('Tunnel name is not valid', name);
  let state: Section = 'none';
  const tunnel: AppTunnel = { privateKey: '', addresses: [], dns: [], dnsSearch: [], peers: [] };
  let sawPrivateKey = false;
  let peer: AppPeer | undefined;
  for (const line of text.split('\n')) {
    const comment = line.indexOf('#');
    const stripped = unicodeTrim(comment >= 0 ? line.slice(0, comment) : line);
    if (stripped === '') continue;
    const eq = stripped.indexOf('=');
    const hasValue = eq >= 0;
    const key = unicodeTrim(hasValue ? stripped.slice(0, eq) : stripped).toLowerCase();
    if ((key === '[interface]' || key === '[peer]') && !hasValue) {
      // maybeAddPeer. An [Interface] after a [Peer] leaves `peer` set, so upstream adds that peer again later.
      if (peer) tunnel.peers.push(peer);
      if (key === '[peer]') peer = { publicKey: '', allowedIps: [], keepalive: 0 };
      state = key === '[peer]' ? 'peer' : 'interface';
      continue;
    }
    if (state === 'none') refuse('Line must occur in a section', stripped);
    if (!hasValue) refuse('Config key is missing an equals separator', stripped);
    // The scripts keep what follows '=' on the raw line, a '#' and what follows it included.
    const scripts = ['preup', 'postup', 'predown', 'postdown'].includes(key);
    const val = unicodeTrim(scripts ? line.slice(line.indexOf('=') + 1) : stripped.slice(eq + 1));
    if (val === '') refuse('Key must have a value', stripped);
    if (state === 'interface') {
      switch (key) {
        case 'privatekey':
          tunnel.privateKey = windowsKey(val, refuse);
          sawPrivateKey = true;
          break;
        case 'listenport':
          tunnel.listenPort = windowsPort(val, refuse);
          break;
        case 'mtu': {
          // parseMTU: 576 to 65535.
          const m = goAtoi(val) ?? refuse('strconv.Atoi: invalid syntax', val);
          tunnel.mtu = m < 576 || m > 65535 ? refuse('Invalid MTU', val) : m;
          break;
        }
        case 'address':
          for (const a of windowsSplit(val, refuse)) tunnel.addresses.push(windowsCidr(a) ?? refuse('Invalid IP address: ', a));
          break;
        case 'dns':
          // netip.ParseAddr, else a search domain.
          for (const a of windowsSplit(val, refuse)) (goParseAddr(a) ? tunnel.dns : tunnel.dnsSearch).push(a);
          break;
        case 'preup':
        case 'postup':
        case 'predown':
        case 'postdown':
          break;
        case 'table':
          // parseTableOff: off, auto, main or a number (strconv.ParseUint, 32 bits).
          if (!['off', 'auto', 'main'].includes(val) && !(/^[0-9]+$/.test(val) && Number(val) < 2 ** 32)) refuse('strconv.ParseUint: invalid syntax', val);
          break;
        default:
          refuse('Invalid key for [Interface] section', key);
      }
    } else {
      const p = peer!;
      switch (key) {
        case 'publickey':
          p.publicKey = windowsKey(val, refuse);
          break;
        case 'presharedkey':
          p.presharedKey = windowsKey(val, refuse);
          break;
        case 'allowedips':
          for (const a of windowsSplit(val, refuse)) p.allowedIps.push(windowsCidr(a) ?? refuse('Invalid IP address: ', a));
          break;
        case 'persistentkeepalive': {
          // parsePersistentKeepalive: "off" is 0, else Atoi within 0 to 65535.
          const k = val === 'off' ? 0 : (goAtoi(val) ?? refuse('strconv.Atoi: invalid syntax', val));
          p.keepalive = k < 0 || k > 65535 ? refuse('Invalid persistent keepalive', val) : k;
          break;
        }
        case 'endpoint':
          p.endpoint = windowsEndpoint(val, refuse);
          break;
        default:
          refuse('Invalid key for [Peer] section', key);
      }
    }
  }
  if (peer) tunnel.peers.push(peer);
  if (!sawPrivateKey) refuse('An interface must have a private key', '[none specified]');
  // Key.IsZero: a peer without PublicKey keeps the zero key.
  if (tunnel.peers.some((p) => p.publicKey === '' || Buffer.from(p.publicKey, 'base64').every((b) => b === 0))) refuse('All peers must have public keys', '[none specified]');
  return tunnel;
}

/** Each app's parser, as a file of the tunnel `name` (the file's name without .conf) is imported. */
export const APP_PARSERS: Record<App, (text: string, name: string) => AppTunnel> = {
  android: (text) => parseAndroid(text),
  apple: (text) => parseApple(text),
  windows: parseWindows,
};
