// gen wg doctor: on a client machine, the checks of a diagnostic checklist
// and client script that can be made from there, each against
// what the topology says, each with its fix:
// - the file: a wg-quick file named so wg-quick and the apps accept it,
//   readable by its owner only, whose private key is a peer's of the
//   topology, with every value gen writes for that peer (Address, MTU, DNS,
//   the instance's PublicKey, Endpoint, AllowedIPs, PersistentKeepalive;
//   a PresharedKey where the peer has preshared_key, the secrets
//   directory's where this machine has it);
// - the endpoint: its name resolves (to the firewall's public address when
//   the topology knows it);
// - the running tunnel (`wg show`): up, configured as the file says, a
//   recent handshake, its address and routes on the system, full-size
//   packets through the tunnel and along the path to the endpoint (outside
//   the tunnel), and the Proxmox hosts behind the firewall answering (their
//   return route). Only addresses the peer may ping are pinged: one its
//   AllowedIPs hold and the policy passes ICMP to; no reply from any other
//   says nothing about the firewall or the host.
import { timingSafeEqual } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pointFlowVerdicts } from '../flows.js';
import type { Model, Peer, Site, WireguardInstance } from '../model.js';
import { contains, formatIPv4, parseCidr, parseIPv4 } from '../net.js';
import { defaultSecretsDir, peerPskPath } from '../paths.js';
import { SecretsError, readSecret } from '../secrets.js';
import { clientConfig, commandScope } from '../render/wireguard/client-config.js';
import { readInputBytes, requireInputFile } from '../io/read-input.js';
import { terminalLine, terminalText } from '../io/terminal.js';
import { declaredIn } from '../render/verify/script.js';
import { peersByKey } from '../resolve/wireguard-keys.js';
import { isWireguardKey, publicKeyOf } from '../targets/wireguard/keys.js';
import { INTERFACE_NAME, windowsRefusal } from '../targets/wireguard/names.js';
import { WIREGUARD_OVERHEAD } from '../targets/wireguard/overhead.js';
import { type PingResult, type Probes, type RunningInterface, type RunningPeer, systemProbes } from './doctor-probes.js';
import { type Scope, checkScope, findPeer, instancesIn } from './locate.js';
import { CommandError, loadForEdit } from './topology-file.js';
import { type WgQuickFile, listValueKey, parseWgQuick, valueOf, valuesOf } from './wg-quick-file.js';

export interface DoctorCheck {
  status: 'ok' | 'fail' | 'skip';
  check: string;
  /** file:line of what the topology says. */
  declared?: string;
  /** What was found instead (fail), or why it was not checked (skip). */
  found?: string;
  fix?: string;
}

export interface DoctorReport {
  subject: string;
  checks: DoctorCheck[];
}

export interface DoctorOptions extends Scope {
  file: string;
  /** The secrets directory (default: .secrets beside the topology file), where this machine has one. */
  secrets?: string;
}

/** A handshake renews every 2 minutes while packets flow (REKEY_AFTER_TIME), keepalives keep them flowing. */
export const HANDSHAKE_MAX_AGE = 180;
const ICMP_HEADERS = 28;

interface Target {
  site: Site;
  instance: WireguardInstance;
  peer: Peer;
}

class Report {
  readonly checks: DoctorCheck[] = [];
  ok(check: string, declared?: string): void {
    this.checks.push({ status: 'ok', check, declared });
  }
  fail(check: string, declared: string | undefined, found: string, fix: string): void {
    this.checks.push({ status: 'fail', check, declared, found, fix });
  }
  skip(check: string, why: string): void {
    this.checks.push({ status: 'skip', check, found: why });
  }
  expect(ok: boolean, check: string, declared: string | undefined, found: () => string, fix: () => string): boolean {
    if (ok) this.ok(check, declared);
    else this.fail(check, declared, found(), fix());
    return ok;
  }
}

function peersOf(model: Model, scope: Scope): Target[] {
  return instancesIn(model, scope).flatMap(({ site, instance }) => instance.peers.map((peer) => ({ site, instance, peer })));
}

/**
 * The peer a device key belongs to. One device can be a peer at several sites, the same key at each:
 * the one whose instance the file or the running tunnel has as its peer is it, then the one of the file's address.
 */
function peerOfKey(model: Model, scope: Scope, publicKey: string, instanceKeys: readonly string[], address?: string): Target | undefined {
  const inScope = new Set(instancesIn(model, scope).map((r) => r.instance));
  const candidates = (peersByKey(model).get(publicKey) ?? []).filter((t) => inScope.has(t.instance));
  if (candidates.length <= 1) return candidates[0];
  const score = (t: Target) => (t.instance.publicKey !== undefined && instanceKeys.includes(t.instance.publicKey) ? 2 : 0) + (address !== undefined && t.peer.address === address ? 1 : 0);
  return candidates.reduce((best, t) => (score(t) > score(best) ? t : best));
}

/**
 * The instance keys of the device's other peers (the same key at other sites or instances): a tunnel to one of those is not this peer's.
 * A peer without a key has none: the device's tunnels are found by its key.
 */
function otherInstanceKeys(model: Model, t: Target): Set<string> {
  const keys = new Set<string>();
  const device = t.peer.publicKey === undefined ? [] : (peersByKey(model).get(t.peer.publicKey) ?? []);
  for (const other of device) {
    if (other.peer !== t.peer && other.instance.publicKey !== undefined && other.instance.publicKey !== t.instance.publicKey) keys.add(other.instance.publicKey);
  }
  return keys;
}

/** A gen wg command on the target's peer, with the options that name its site and instance where the topology needs them. */
function peerCommand(command: string, t: Target, model: Model): string {
  return `gen wg ${command} ${t.peer.name}${commandScope(model, t.site, t.instance)}`;
}

function exportCommand(t: Target, lan: boolean, model: Model): string {
  return `${peerCommand('export', t, model)}${lan ? ' --lan' : ''}`;
}

/** Whether two lists of Address, AllowedIPs (`network`) or DNS values hold the same values as the tools read them (listValueKey()). */
function sameSet(a: readonly string[], b: readonly string[], network: boolean): boolean {
  const keys = (list: readonly string[]) => list.map((v) => listValueKey(v, network)).sort().join(',');
  return a.length === b.length && keys(a) === keys(b);
}

function endpointHost(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  const i = endpoint.lastIndexOf(':');
  return (i > 0 ? endpoint.slice(0, i) : endpoint).replace(/^\[|\]$/g, '');
}

/** The file's checks; returns the peer it belongs to, when it could tell. */
function checkFile(path: string, file: WgQuickFile, model: Model, scope: Scope, report: Report): { target?: Target; lan: boolean } {
  const declared = declaredIn(model);
  const interfaces = file.sections.filter((s) => s.name === 'Interface').length;
  const peers = file.sections.filter((s) => s.name === 'Peer').length;
  report.expect(
    file.problems.length === 0 && interfaces === 1 && peers === 1,
    'the file is a wg-quick file with one [Interface] and one [Peer]',
    undefined,
    () => [...file.problems, `${interfaces} [Interface], ${peers} [Peer]`].join('; '),
    () => 'export the file again (gen wg export NAME)',
  );
  const name = basename(path).replace(/\.conf$/, '');
  // wg-quick and the Android app take the interface name's characters; the Windows app refuses reserved device names and a "." at either end too.
  const windows = INTERFACE_NAME.test(name) ? windowsRefusal(name) : undefined;
  const renamed = name.replace(/[^a-zA-Z0-9_=+.-]/g, '').slice(0, 15).replace(/^\.+|\.+$/g, '');
  report.expect(
    path.endsWith('.conf') && INTERFACE_NAME.test(name) && windows === undefined,
    'its name is an interface name wg-quick and the apps accept (1-15 of a-z A-Z 0-9 _ = + . -, then .conf)',
    undefined,
    () => (windows === undefined ? basename(path) : `${basename(path)}: the WireGuard Windows app refuses it (${windows})`),
    () => `rename it, e.g. to ${renamed !== '' && windowsRefusal(renamed) === undefined ? renamed : 'wg0'}.conf`,
  );
  if (process.platform !== 'win32') {
    const mode = statSync(path).mode & 0o777;
    report.expect((mode & 0o077) === 0, 'only its owner can read it (it holds a private key)', undefined, () => `mode ${mode.toString(8).padStart(4, '0')}`, () => `chmod 600 ${path}`);
  }

  const privateKey = valueOf(file, 'Interface', 'PrivateKey');
  const address = valuesOf(file, 'Interface', 'Address')[0]?.split('/')[0];
  const byAddress = peersOf(model, scope).find((t) => t.peer.address === address);
  const lanOf = (t: Target) => t.instance.lanEndpoint !== undefined && valueOf(file, 'Peer', 'Endpoint') === `${t.instance.lanEndpoint}:${t.instance.listenPort}`;
  if (privateKey === undefined || !isWireguardKey(privateKey)) {
    const placeholder = privateKey?.startsWith('<') ?? false;
    report.fail(
      'its PrivateKey is a WireGuard key',
      byAddress ? declared(byAddress.peer.path) : undefined,
      privateKey === undefined ? 'no PrivateKey' : placeholder ? 'the placeholder of out/, not a key' : 'not 44 characters of base64',
      byAddress ? `${exportCommand(byAddress, lanOf(byAddress), model)} -o ${path} writes the file with the key` : 'gen wg export NAME -o FILE writes the file with the key',
    );
    return { target: byAddress, lan: byAddress ? lanOf(byAddress) : false };
  }
  const publicKey = publicKeyOf(privateKey);
  const target = peerOfKey(model, scope, publicKey, valuesOf(file, 'Peer', 'PublicKey'), address);
  if (!target) {
    report.fail(
      "its private key is a peer's of the topology",
      byAddress ? declared(byAddress.peer.path) : undefined,
      `its public key ${publicKey} is no peer's${byAddress ? `; its address ${address} is ${byAddress.peer.name}'s` : ''}`,
      byAddress
        ? `if this device made a new key: ${peerCommand('rotate', byAddress, model)} --public-key ${publicKey}, then build and apply; else ${exportCommand(byAddress, lanOf(byAddress), model)} -o ${path}`
        : `add the device: gen wg add-peer NAME --role ROLE --public-key ${publicKey}`,
    );
    return { target: byAddress, lan: byAddress ? lanOf(byAddress) : false };
  }
  report.ok(`its private key is peer ${target.peer.name}'s (instance ${target.instance.name}, site ${target.site.name})`, declared(target.peer.path));
  return { target, lan: lanOf(target) };
}

/**
 * The file's PresharedKey against the one in the secrets directory, where
 * this machine has it: a file exported before `gen wg psk --force` keeps
 * the old key, and the handshake fails once the firewall has the new one.
 * Compared as bytes in constant time; a report says "differs", never
 * either key.
 */
function checkStoredPsk(psk: string, secrets: string, t: Target, model: Model, report: Report, redo: string): void {
  const relative = peerPskPath(t.site.name, t.instance.name, t.peer.name);
  const stored = join(secrets, relative);
  const check = `[Peer] PresharedKey is the one in ${stored}`;
  let key: string | undefined;
  try {
    key = readSecret(secrets, relative);
  } catch (error) {
    if (!(error instanceof SecretsError)) throw error;
    return report.skip(check, error.message);
  }
  if (key === undefined) return report.skip(check, `${stored} does not exist here (a client needs no secrets directory)`);
  if (!isWireguardKey(key)) return report.skip(check, `${stored} is not a WireGuard pre-shared key: gen lint says how to make a new one`);
  report.expect(
    timingSafeEqual(Buffer.from(psk, 'base64'), Buffer.from(key, 'base64')),
    check,
    declaredIn(model)(t.peer.path),
    () => `it differs: the pre-shared key was renewed (${peerCommand('psk', t, model)} --force) after the file was written, or the file is another's`,
    () => `once the firewall has the key of ${stored} (gen build, then apply the firewall's configuration), write the file again: ${redo}`,
  );
}

/** Every value gen writes for the peer, against the file's. */
function checkValues(path: string, file: WgQuickFile, t: Target, lan: boolean, model: Model, report: Report, secrets: string): void {
  const declared = declaredIn(model);
  const expected = parseWgQuick(clientConfig(model, t.site, t.instance, t.peer, { lan }));
  const redo = `${exportCommand(t, lan, model)} -o ${path}`;
  const fields: { section: 'Interface' | 'Peer'; key: string; list: boolean; where: string }[] = [
    { section: 'Interface', key: 'Address', list: true, where: declared(t.peer.path) },
    { section: 'Interface', key: 'MTU', list: false, where: declared(t.instance.path) },
    { section: 'Interface', key: 'DNS', list: true, where: declared(t.instance.path) },
    { section: 'Peer', key: 'PublicKey', list: false, where: declared(t.instance.path) },
    { section: 'Peer', key: 'Endpoint', list: false, where: declared(t.instance.path) },
    { section: 'Peer', key: 'AllowedIPs', list: true, where: declared(t.instance.path) },
    { section: 'Peer', key: 'PersistentKeepalive', list: false, where: declared(t.peer.path) },
  ];
  for (const f of fields) {
    const want = valuesOf(expected, f.section, f.key);
    const have = valuesOf(file, f.section, f.key);
    const text = want.length ? `${f.key} = ${want.join(', ')}` : `no ${f.key}`;
    const network = f.key !== 'DNS';
    const ok = f.list ? sameSet(want, have, network) : want[0] === have[0];
    report.expect(
      ok,
      `[${f.section}] ${text}`,
      f.where,
      () => {
        if (!f.list || have.length === 0 || want.length === 0) return have.length ? `${f.key} = ${have.join(', ')}` : `no ${f.key}`;
        const [wantKeys, haveKeys] = [want, have].map((list) => new Set(list.map((v) => listValueKey(v, network))));
        const missing = want.filter((w) => !haveKeys!.has(listValueKey(w, network)));
        const extra = have.filter((h) => !wantKeys!.has(listValueKey(h, network)));
        return [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `extra ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
      },
      () => `${want.length ? `set "${text}"` : `remove ${f.key}`} in [${f.section}], or write the file again: ${redo}`,
    );
  }
  // The value is the secrets directory's, which a client need not have: its presence and form, and never the value in a report.
  const psk = valueOf(file, 'Peer', 'PresharedKey');
  if (t.peer.presharedKey) {
    const isKey = report.expect(
      psk !== undefined && isWireguardKey(psk),
      '[Peer] PresharedKey is a WireGuard key (the peer has preshared_key)',
      declared(t.peer.path),
      () => (psk === undefined ? 'no PresharedKey: the firewall has one, so the handshake fails' : psk.startsWith('<') ? 'the placeholder of out/, not a key' : 'not 44 characters of base64'),
      () => `write the file again: ${redo}`,
    );
    if (isKey) checkStoredPsk(psk!, secrets, t, model, report, redo);
  } else {
    report.expect(
      psk === undefined,
      '[Peer] no PresharedKey (the peer has no preshared_key)',
      declared(t.peer.path),
      () => 'a PresharedKey, which the firewall does not have: the handshake fails',
      () => `remove PresharedKey in [Peer], or give the peer one (${peerCommand('psk', t, model)}, then gen build, apply the firewall's configuration and ${redo})`,
    );
  }
  if (!t.peer.enabled) {
    report.fail(`peer ${t.peer.name} is enabled in the topology`, declared(t.peer.path), 'enabled: false: the firewall does not accept it', `${peerCommand('enable', t, model)}, then gen build and apply the firewall's configuration`);
  } else {
    report.ok(`peer ${t.peer.name} is enabled in the topology`, declared(t.peer.path));
  }
}

async function checkEndpoint(endpoint: string | undefined, t: Target, model: Model, probes: Probes, report: Report): Promise<string[]> {
  const declared = declaredIn(model);
  const host = endpointHost(endpoint);
  if (host === undefined) {
    report.skip('the endpoint resolves', 'the file has no Endpoint');
    return [];
  }
  if (parseIPv4(host) !== undefined) {
    report.ok(`the endpoint ${host} is an address (nothing to resolve)`, declared(t.instance.path));
    return [host];
  }
  const addresses = await probes.resolve(host);
  if (typeof addresses === 'string') {
    report.fail(`the endpoint ${host} resolves`, declared(t.instance.path), addresses, `check the DNS record of ${host} (or the dynamic DNS client that updates it)`);
    return [];
  }
  const publicAddress = t.site.firewall?.publicAddress;
  report.expect(
    publicAddress === undefined || addresses.includes(publicAddress),
    `the endpoint ${host} resolves${publicAddress ? ` to the firewall's public address ${publicAddress}` : ''}`,
    declared(t.instance.path),
    () => `resolves to ${addresses.join(', ')}`,
    () => `point the DNS record of ${host} at ${publicAddress}`,
  );
  return addresses;
}

/** The largest ICMP payload that passes with don't-fragment, between `low` (passes) and `high` (does not). */
function largestPayload(ping: (payload: number) => PingResult, low: number, high: number): number {
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (ping(mid) === 'reply') low = mid;
    else high = mid;
  }
  return low;
}

function checkRunning(t: Target, fileValues: WgQuickFile | undefined, lan: boolean, resolved: string[], model: Model, probes: Probes, report: Report, source: string): void {
  const declared = declaredIn(model);
  const expected = parseWgQuick(clientConfig(model, t.site, t.instance, t.peer, { lan }));
  const tunnels = probes.tunnels();
  const later = 'the handshake, routes and path are checked while the tunnel is up';
  if (typeof tunnels === 'string') {
    report.skip('the running tunnel', tunnels);
    return;
  }
  // The device's tunnel to this instance; one of its tunnels to another site's instance is not it.
  const others = otherInstanceKeys(model, t);
  const ownKey = (i: RunningInterface) => t.peer.publicKey !== undefined && i.publicKey === t.peer.publicKey;
  const tunnel: RunningInterface | undefined =
    tunnels.find((i) => ownKey(i) && i.peers.some((p) => p.publicKey === t.instance.publicKey)) ??
    tunnels.find((i) => ownKey(i) && !i.peers.some((p) => others.has(p.publicKey))) ??
    tunnels.find((i) => i.peers.some((p) => p.publicKey === t.instance.publicKey));
  if (!tunnel) {
    report.skip(`the tunnel to ${t.instance.name} is up`, `no running tunnel has ${t.peer.name}'s key or ${t.instance.name}'s as peer: ${later} (wg-quick up ${source})`);
    return;
  }
  report.ok(`the tunnel to ${t.instance.name} is up (${tunnel.name})`, declared(t.instance.path));
  const running = tunnel.peers.find((p) => p.publicKey === t.instance.publicKey);
  if (!report.expect(running !== undefined, `${tunnel.name} has the instance ${t.instance.name} as its peer`, declared(t.instance.path), () => `peers: ${tunnel.peers.map((p) => p.publicKey).join(', ') || 'none'}`, () => `restart the tunnel from the file: wg-quick down ${source} && wg-quick up ${source}`)) return;
  // The file against the topology is checked above; here the tunnel against what it was started from.
  const wantIps = valuesOf(fileValues ?? expected, 'Peer', 'AllowedIPs');
  report.expect(
    sameSet(running!.allowedIps, wantIps, true),
    `${tunnel.name} runs with ${fileValues ? "the file's " : ''}AllowedIPs = ${wantIps.join(', ')}`,
    declared(t.instance.path),
    () => running!.allowedIps.join(', ') || 'none',
    () => `restart the tunnel from the file: wg-quick down ${source} && wg-quick up ${source}`,
  );
  const port = valueOf(expected, 'Peer', 'Endpoint')?.split(':').at(-1);
  if (running!.endpoint !== undefined && port !== undefined) {
    const [ip, runningPort] = [endpointHost(running!.endpoint), running!.endpoint.split(':').at(-1)];
    report.expect(runningPort === port && (resolved.length === 0 || resolved.includes(ip ?? '')), `${tunnel.name} sends to the endpoint ${valueOf(expected, 'Peer', 'Endpoint')}`, declared(t.instance.path), () => `it sends to ${running!.endpoint}`, () => `restart the tunnel from the file: wg-quick down ${source} && wg-quick up ${source}`);
  }

  const age = handshakeAge(tunnel, running!, t, probes);
  const handshake = report.expect(
    age !== undefined && age <= HANDSHAKE_MAX_AGE,
    `the latest handshake is recent (under ${HANDSHAKE_MAX_AGE} s)`,
    declared(t.peer.path),
    () => (age === undefined ? 'no handshake yet' : `${age} s ago`),
    () => {
      const fw = t.site.firewall;
      const verify = fw ? `out/${t.site.name}/verify/firewall-${fw.name}.sh` : 'the firewall';
      return [
        `the firewall must list ${t.peer.name} as an enabled, linked peer (run ${verify} there)`,
        `pass UDP ${t.instance.listenPort ?? 51820} on its WAN`,
        `and the router in front of it must forward UDP ${t.instance.listenPort ?? 51820} to it (out/${t.site.name}/steps.md); the keys on both sides must match the topology`,
      ].join(', ');
    },
  );

  const wantAddress = valuesOf(expected, 'Interface', 'Address')[0];
  const addresses = probes.addresses(tunnel.name);
  if (typeof addresses === 'string') report.skip(`${tunnel.name} has the address ${wantAddress}`, addresses);
  else report.expect(wantAddress !== undefined && addresses.includes(wantAddress), `${tunnel.name} has the address ${wantAddress}`, declared(t.peer.path), () => addresses.join(', ') || 'no IPv4 address', () => `restart the tunnel from the file: wg-quick down ${source} && wg-quick up ${source}`);

  const misrouted: string[] = [];
  for (const network of valuesOf(expected, 'Peer', 'AllowedIPs')) {
    const probe = firstUsable(network);
    if (probe === undefined) continue;
    const device = probes.routeDevice(probe);
    if (device !== tunnel.name) misrouted.push(`${network} via ${device ?? 'no route'}`);
  }
  report.expect(misrouted.length === 0, `every AllowedIPs network routes into ${tunnel.name}`, declared(t.instance.path), () => misrouted.join('; '), () => `wg-quick adds these routes: bring the tunnel up with wg-quick (without Table = off), or add them`);

  if (!handshake) {
    report.skip('full-size packets pass', 'no recent handshake');
    return;
  }
  if (!checkFullSize(t, running!.allowedIps, model, probes, report)) return;
  const outer = resolved.find((a) => parseIPv4(a) !== undefined);
  if (outer !== undefined) checkPath(t, tunnel, running!.allowedIps, outer, model, probes, report);
  checkHosts(t, running!.allowedIps, model, probes, report);
}

/**
 * Seconds since the tunnel's latest handshake with the instance, undefined
 * when none. WireGuard shakes hands only to send: without a persistent
 * keepalive (keepalive: 0) an idle tunnel keeps its last handshake however
 * old, and one never used has none, though nothing is wrong. So a stale
 * one is renewed first by one packet into the tunnel (any address its
 * AllowedIPs hold: the handshake comes before the firewall's policy sees
 * the packet), and read again.
 */
function handshakeAge(tunnel: RunningInterface, running: RunningPeer, t: Target, probes: Probes): number | undefined {
  const age = (peer: RunningPeer) => (peer.latestHandshake > 0 ? probes.now() - peer.latestHandshake : undefined);
  const first = age(running);
  if ((first !== undefined && first <= HANDSHAKE_MAX_AGE) || (running.keepalive ?? 0) > 0) return first;
  const wake = held(running.allowedIps, parseIPv4(t.instance.address) ?? -1) ? t.instance.address : insideAddress(running.allowedIps);
  if (wake === undefined) return first;
  probes.ping(wake, 56);
  const again = probes.tunnels();
  const renewed = typeof again === 'string' ? undefined : again.find((i) => i.name === tunnel.name)?.peers.find((p) => p.publicKey === running.publicKey);
  return renewed ? age(renewed) : first;
}

/** The first usable address of an IPv4 block (the block's own for a /32), or undefined for what is not one. */
function firstUsable(cidr: string): string | undefined {
  const network = parseCidr(cidr);
  return network.ok ? formatIPv4(network.block.prefix === 32 ? network.block.base : network.block.base + 1) : undefined;
}

/** The first usable IPv4 address of the first IPv4 block of AllowedIPs. */
function insideAddress(allowedIps: readonly string[]): string | undefined {
  for (const cidr of allowedIps) {
    const address = firstUsable(cidr);
    if (address !== undefined) return address;
  }
  return undefined;
}

/** Whether one of the CIDR blocks holds the address (IPv6 blocks never do: the address is IPv4). */
function held(cidrs: readonly string[], address: number): boolean {
  return cidrs.some((cidr) => {
    const network = parseCidr(cidr);
    return network.ok && contains(network.block, address);
  });
}

/**
 * Why a ping from the peer to an address through its tunnel gets no answer
 * whatever the firewall's state, or undefined when it should get one. The
 * client's WireGuard drops a packet to an address no peer's AllowedIPs hold
 * (wg_xmit: -ENOKEY), and the firewall drops ICMP its policy does not pass
 * from the peer's address: no reply then says nothing about the firewall.
 */
function pingBlocked(t: Target, allowedIps: readonly string[], address: string): string | undefined {
  const [from, to] = [parseIPv4(t.peer.address), parseIPv4(address)];
  if (from === undefined || to === undefined) return `${address} is no IPv4 address`;
  if (!held(allowedIps, to)) return `the tunnel's AllowedIPs do not hold ${address}, so this machine sends nothing there`;
  const [verdict] = pointFlowVerdicts(t.site, [{ from, to }], 'icmp', 0);
  if (verdict?.verdict !== 'accept') return `the policy does not pass ICMP from ${t.peer.name} (${t.peer.address}) to ${address} (${verdict?.decidedBy ?? 'no rule'})`;
  return undefined;
}

/** The firewall's address the full-size probe goes to: its tunnel address, else one of its inside addresses the peer may ping; or why none. */
function firewallProbe(t: Target, allowedIps: readonly string[]): { address: string; name: string } | { why: string } {
  const inside = (t.site.firewall?.interfaces ?? []).filter((i) => !i.isWan && i.address !== undefined);
  const candidates = [{ address: t.instance.address, name: 'tunnel address' }, ...inside.map((i) => ({ address: i.address!, name: `address on ${i.name}` }))];
  const tunnelBlocked = pingBlocked(t, allowedIps, t.instance.address);
  const usable = candidates.find((c) => pingBlocked(t, allowedIps, c.address) === undefined);
  return usable ?? { why: `${tunnelBlocked}, and no other address of the firewall is both in the AllowedIPs and passed ICMP from ${t.peer.address}` };
}

/** Full-size packets through the tunnel, to the firewall; false when the firewall does not answer at all. */
function checkFullSize(t: Target, allowedIps: readonly string[], model: Model, probes: Probes, report: Report): boolean {
  const declared = declaredIn(model)(t.instance.path);
  const mtu = t.instance.mtu;
  const target = firewallProbe(t, allowedIps);
  if ('why' in target) {
    report.skip(`full-size packets (MTU ${mtu}) reach the firewall with don't-fragment`, target.why);
    return true;
  }
  const { address, name } = target;
  const ping = (payload: number) => probes.ping(address, payload);
  const check = `full-size packets (MTU ${mtu}) reach the firewall's ${name} ${address} with don't-fragment`;
  if (ping(mtu - ICMP_HEADERS) === 'reply') {
    report.ok(check, declared);
  } else if (ping(56) === 'reply') {
    const max = largestPayload(ping, 56, mtu - ICMP_HEADERS) + ICMP_HEADERS;
    report.fail(check, declared, `only packets up to ${max} bytes pass`, `lower mtu on ${t.instance.name} in the topology to what the path to the endpoint carries minus 60 (IPv4) or 80 (IPv6) bytes (the next check measures it; the MSS clamp follows), build, apply and export the client files again`);
  } else {
    report.fail(`the firewall answers on its ${name} ${address}`, declared, 'no reply to ping', `the firewall needs pass rules on the WireGuard group for the tunnel network: run out/${t.site.name}/verify/firewall-*.sh there`);
    return false;
  }
  return true;
}

/**
 * How a probe to the endpoint leaves this machine outside the tunnel: as
 * is, with the tunnel's fwmark, or not at all (why). With a /0 in
 * AllowedIPs, wg-quick on Linux sends every unmarked packet that has no
 * more specific route into the tunnel (ip rule not fwmark M table M, and
 * table main suppress_prefixlength 0), a ping to the endpoint too: it
 * would measure the tunnel, not the path. The tunnel's own packets carry
 * the mark. On macOS wg-quick routes the endpoint around the tunnel, and a
 * directly connected network's route wins over a /0: those leave as is.
 */
function outsideTunnel(tunnel: RunningInterface, allowedIps: readonly string[], outer: string, probes: Probes): { mark?: number } | { why: string } {
  if (!held(allowedIps, parseIPv4(outer)!)) return {};
  const device = probes.routeDevice(outer);
  if (device !== undefined && device !== tunnel.name) return {};
  if (tunnel.fwmark !== undefined) return { mark: tunnel.fwmark };
  return { why: `${outer} is routed into ${tunnel.name} (its AllowedIPs hold it) and ${tunnel.name} has no fwmark that sends a probe around it, so a ping would measure the tunnel` };
}

/** The least mtu the topology takes for an instance (the schema's minimum, the IPv6 minimum link MTU): a lower one is never the fix. */
export const TUNNEL_MTU_MIN = 1280;

/** A full tunnel packet along the path to the endpoint, outside the tunnel. */
function checkPath(t: Target, tunnel: RunningInterface, allowedIps: readonly string[], outer: string, model: Model, probes: Probes, report: Report): void {
  const declared = declaredIn(model)(t.instance.path);
  const { mtu } = t.instance;
  const overhead = WIREGUARD_OVERHEAD.inet;
  const size = mtu + overhead;
  const check = `the path to the endpoint ${outer} carries a full tunnel packet (${mtu} + ${overhead} bytes) unfragmented`;
  const route = outsideTunnel(tunnel, allowedIps, outer, probes);
  if ('why' in route) return report.skip(check, route.why);
  const ping = (payload: number) => probes.ping(outer, payload, route.mark);
  const result = ping(size - ICMP_HEADERS);
  if (result === 'reply') return report.ok(check, declared);
  const small = result === 'unmarked' ? result : ping(56);
  if (small === 'unmarked') return report.skip(check, `ping could not give its probe ${tunnel.name}'s fwmark ${route.mark} (that takes CAP_NET_ADMIN: run as root, with iputils' ping), and unmarked it would measure the tunnel`);
  if (small !== 'reply') {
    // Nothing smaller answers: there is no size known to pass, so nothing to measure from.
    if (result !== 'too-big') return report.skip('the path MTU to the endpoint', `${outer} does not answer ping (the firewall's WAN blocks it), so it is not measured`);
    return report.fail(check, declared, `packets of ${size} bytes are refused as too big, and ${outer} does not answer smaller pings, so the largest that passes is not measured`, `find what the path carries (ping with don't-fragment a host beyond it that answers: ping -M do -s SIZE on Linux, ping -D -s SIZE on macOS; the packet is SIZE + 28 bytes), then set mtu on ${t.instance.name} in the topology to that minus ${overhead}, at least ${TUNNEL_MTU_MIN}; build, apply and export the client files again`);
  }
  const max = largestPayload(ping, 56, size - ICMP_HEADERS) + ICMP_HEADERS;
  report.fail(check, declared, `the path carries at most ${max} bytes`, mtuFix(t, max, overhead));
}

/** What to do when the path carries only `max` bytes: the tunnel MTU that fits, unless that is below what a tunnel may have. */
function mtuFix(t: Target, max: number, overhead: number): string {
  const fits = max - overhead;
  if (fits >= TUNNEL_MTU_MIN) return `lower the tunnel MTU to ${fits} (mtu: on ${t.instance.name} in the topology; the MSS clamp follows), build, apply and export the client files again`;
  return `a tunnel MTU that fits (${fits}) is below ${TUNNEL_MTU_MIN}, the least the topology takes for an instance: the path itself must carry ${TUNNEL_MTU_MIN + overhead} bytes; find the link that limits it (a PPPoE or mobile link, another VPN) and raise its MTU, or connect from another network`;
}

/** The Proxmox hosts in networks the peer reaches, and may ping, answer through the tunnel (their return route). */
function checkHosts(t: Target, allowedIps: readonly string[], model: Model, probes: Probes, report: Report): void {
  const declared = declaredIn(model);
  for (const host of t.site.hosts) {
    for (const bridge of host.bridges) {
      if (bridge.address === undefined) continue;
      // Only hosts the peer may reach: its reach is what the compiled rules pass from its address.
      if (!held(t.peer.reach, parseIPv4(bridge.address)!)) continue;
      const check = `Proxmox host ${host.name} answers at ${bridge.address} through the tunnel`;
      // Reached on some port is not reached by ping: no reply then says nothing about the return route.
      const blocked = pingBlocked(t, allowedIps, bridge.address);
      if (blocked !== undefined) {
        report.skip(check, blocked);
        continue;
      }
      report.expect(
        probes.ping(bridge.address, 56) === 'reply',
        check,
        declared(bridge.path),
        () => 'no reply to ping',
        () => `the host needs its route back to ${t.instance.block.cidr} via the firewall: run out/${t.site.name}/verify/proxmox-${host.name}.sh on it`,
      );
    }
  }
}

/**
 * The text of the client file `target` names, read within the input limit
 * as every file gen reads (a file of gigabytes was read whole: Node's string
 * limit, an "internal error"); undefined when it is a peer's name. A path
 * that is there but no regular file (a named pipe, a directory) is refused,
 * never read, unless a peer has that name. Not UTF-8 checked: wg-quick reads
 * bytes, and the checks report what is wrong in it.
 */
function clientFileText(target: string, model: Model, scope: Scope): string | undefined {
  let isFile: boolean;
  try {
    isFile = statSync(target).isFile();
  } catch {
    return undefined;
  }
  if (!isFile) {
    if (instancesIn(model, scope).some((ref) => ref.instance.peers.some((p) => p.name === target))) return undefined;
    requireInputFile(target, 'client file');
  }
  return readInputBytes(target).toString('utf8');
}

/** What `gen wg doctor [FILE|NAME]` checks. */
export async function doctor(target: string | undefined, options: DoctorOptions, probes: Probes = systemProbes): Promise<DoctorReport[]> {
  const { model } = await loadForEdit(options.file);
  // A mistyped --site or --instance found no peer: "add the device" (a second peer with its key) was the fix given.
  checkScope(model, options);
  const text = target === undefined ? undefined : clientFileText(target, model, options);
  if (target !== undefined && text !== undefined) {
    const report = new Report();
    const file = parseWgQuick(text);
    const { target: t, lan } = checkFile(target, file, model, options, report);
    if (t) {
      checkValues(target, file, t, lan, model, report, options.secrets ?? defaultSecretsDir(options.file));
      const resolved = await checkEndpoint(valueOf(file, 'Peer', 'Endpoint'), t, model, probes, report);
      checkRunning(t, file, lan, resolved, model, probes, report, target);
    } else report.skip('the values, the endpoint and the running tunnel', 'the file belongs to no peer of the topology');
    return [{ subject: `${target}${t ? ` (peer ${t.peer.name} of ${t.instance.name}, site ${t.site.name})` : ''}`, checks: report.checks }];
  }
  if (target !== undefined) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(target)) throw new CommandError(`${target}: no such file, and not a peer name`);
    const { site, instance, peer } = findPeer(model, target, options);
    const t = { site, instance, peer };
    const report = new Report();
    const resolved = await checkEndpoint(instance.endpoint !== undefined ? `${instance.endpoint}:${instance.endpointPort}` : undefined, t, model, probes, report);
    // A peer without a key has no client file gen can export yet: its key comes first.
    const makeFile = `${exportCommand(t, false, model)} -o FILE`;
    const after = peer.publicKey === undefined ? `${peerCommand('rotate', t, model)} (or with --public-key KEY of a key the device makes) and ${makeFile}` : makeFile;
    checkRunning(t, undefined, false, resolved, model, probes, report, `FILE, after ${after}`);
    return [{ subject: `peer ${peer.name} of ${instance.name} (site ${site.name})`, checks: report.checks }];
  }
  // No argument: every running tunnel that is a peer of the topology.
  const tunnels = probes.tunnels();
  if (typeof tunnels === 'string') throw new CommandError(`cannot read the running tunnels: ${tunnels}; name a file or a peer instead`);
  const reports: DoctorReport[] = [];
  for (const tunnel of tunnels) {
    const t = peerOfKey(model, options, tunnel.publicKey, tunnel.peers.map((p) => p.publicKey));
    if (!t) continue;
    const report = new Report();
    const endpoint = t.instance.endpoint !== undefined ? `${t.instance.endpoint}:${t.instance.endpointPort}` : undefined;
    const lan = t.instance.lanEndpoint !== undefined && tunnel.peers.some((p) => endpointHost(p.endpoint) === t.instance.lanEndpoint);
    const resolved = await checkEndpoint(lan ? `${t.instance.lanEndpoint}:${t.instance.listenPort}` : endpoint, t, model, probes, report);
    checkRunning(t, undefined, lan, resolved, model, probes, report, tunnel.name);
    reports.push({ subject: `${tunnel.name} (peer ${t.peer.name} of ${t.instance.name}, site ${t.site.name})`, checks: report.checks });
  }
  if (reports.length === 0) throw new CommandError('no running tunnel belongs to a peer of the topology; name a client file or a peer: gen wg doctor FILE|NAME');
  return reports;
}

export function formatDoctor(reports: readonly DoctorReport[], topology: string, format: 'text' | 'json'): string {
  if (format === 'json') {
    const ok = reports.every((r) => r.checks.every((c) => c.status !== 'fail'));
    // JSON escapes what a terminal would act on as \uXXXX too: the same document, printable.
    return `${terminalText(JSON.stringify({ topology, ok, reports }, null, 2))}\n`;
  }
  // The client file, the tunnels and the commands' answers are the machine's text, not gen's: shown, never acted on.
  const t = terminalLine;
  const lines: string[] = [];
  for (const report of reports) {
    lines.push(`${t(report.subject)}: what ${t(topology)} expects`);
    for (const c of report.checks) {
      const where = c.declared ? ` (${t(c.declared)})` : '';
      if (c.status === 'ok') lines.push(`✓ ${t(c.check)}${where}`);
      else if (c.status === 'skip') lines.push(`- ${t(c.check)}: not checked: ${t(c.found ?? '')}`);
      else lines.push(`✗ ${t(c.check)}${where}: ${t(c.found ?? '')}`, `  fix: ${t(c.fix ?? '')}`);
    }
    const failed = report.checks.filter((c) => c.status === 'fail').length;
    const run = report.checks.filter((c) => c.status !== 'skip').length;
    lines.push(failed ? `${failed} of ${run} checks failed` : `all ${run} checks pass`);
  }
  return `${lines.join('\n')}\n`;
}
