// A stand-in OPNsense box for the firewall's verification script: the
// outputs of its tools (FreeBSD and OPNsense formats, ./freebsd.ts) for a
// box in the state the topology describes, derived from the model, and a
// PATH of stub commands that print them. Tests change one output to inject
// a drift.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Model, Site } from '../../src/model.js';
import { formatIPv4 } from '../../src/net.js';
import { opnsenseContext } from '../../src/render/opnsense/context.js';
import { OUTBOUND_MODE } from '../../src/render/opnsense/nat.js';
import { mssClamps } from '../../src/render/opnsense/scrub.js';
import { expectedRules } from '../../src/render/verify/firewall-rules.js';
import { appendAll } from '../../src/arrays.js';
import { root } from '../helpers.js';
import { PFCTL_SI, type Socket, ifconfig, kernelUdp, listening, pfctlSr, pfctlTableShow, routeGet, sockstat } from './freebsd.js';
import { compilePolicy } from '../../src/render/opnsense/policy.js';

/** OPNsense 25.7.11's own rules around gen's, as its compiler wrote them for scenario A (gen's lines left out). */
const SYSTEM_RULES = readFileSync(join(root, 'test/verify/fixtures/opnsense-25.7.11-rules.debug'), 'utf8').split('\n');

function maskHex(prefix: number): string {
  return `0x${((0xffffffff << (32 - prefix)) >>> 0).toString(16).padStart(8, '0')}`;
}

function dottedMask(prefix: number): string {
  return formatIPv4((0xffffffff << (32 - prefix)) >>> 0);
}

/** A rules.debug rule as pfctl -sr prints it back: no comment, single values without braces. */
export function asLoaded(line: string): string {
  return line
    .replace(/ # .*$/, '')
    .replace(/\{([^{},]*)\}/g, '$1')
    .replace(/ port (\d+)/g, ' port = $1')
    .replace(/\s+$/, '');
}

/** Every tool output of a firewall that matches the topology. */
export function healthyFirewall(model: Model, site: Site): Map<string, string> {
  const firewall = site.firewall!;
  const files = new Map<string, string>();
  const config = (path: string, value: string) => files.set(`config/${path}`, `${value}\n`);
  for (const iface of firewall.interfaces) {
    config(`interfaces.${iface.key}.if`, iface.device);
    config(`interfaces.${iface.key}.enable`, '1');
    if (iface.kind === 'wireguard') continue;
    const inet: [string, string, string?][] = iface.addressing === 'static' && iface.address ? [[iface.address, maskHex(iface.prefix!)]] : [];
    files.set(`ifconfig/${iface.device}`, ifconfig(iface.device, { flags: ['UP', 'BROADCAST', 'RUNNING', 'SIMPLEX', 'MULTICAST', 'LOWER_UP'], mtu: iface.mtu ?? 1500, inet, ether: 'bc:24:11:5e:2a:01', description: `${iface.description} (${iface.key})` }));
  }
  config('OPNsense.wireguard.general.enabled', '1');
  config('nat.outbound.mode', OUTBOUND_MODE[firewall.nat.outbound]);
  // pluginctl -g of a section: PHP's json_encode with JSON_PRETTY_PRINT (four spaces, "key": value). The anti-lockout
  // switch is there when the steps (steps.md) turned the rule off as the topology says.
  const webgui: Record<string, string> = { protocol: 'https', 'ssl-certref': '5f2a3c1e7b9d0', port: '8443' };
  if (!firewall.antiLockout.enabled) webgui.noantilockout = '1';
  config('system.webgui', JSON.stringify(webgui, null, 4));

  const sockets: Socket[] = [listening('sshd', 4021, 4, 'tcp4', '*:22'), listening('unbound', 8713, 5, 'udp4', '*:53'), listening('lighttpd', 9102, 7, 'tcp4', '*:8443')];
  for (const wg of site.wireguard) {
    files.set(`ifconfig/${wg.device}`, ifconfig(wg.device, { flags: ['UP', 'RUNNING', 'NOARP', 'MULTICAST', 'LOWER_UP'], mtu: wg.mtu, inet: [[wg.address, maskHex(wg.prefix)]], groups: ['wg', 'wireguard'], description: 'WireGuard' }));
    const linked = wg.peers.filter((p) => p.enabled && p.publicKey !== undefined);
    files.set(`wg/${wg.device}.peers`, linked.map((p) => `${p.publicKey}\n`).join(''));
    files.set(`wg/${wg.device}.allowed-ips`, linked.map((p) => `${p.publicKey}\t${p.address}/32\n`).join(''));
    files.set(`wg/${wg.device}.listen-port`, `${wg.listenPort}\n`);
    // Every peer seen an hour ago (wg show DEV latest-handshakes: key TAB seconds since the epoch, 0 for none).
    files.set(`wg/${wg.device}.latest-handshakes`, linked.map((p) => `${p.publicKey}\t${Math.floor(Date.now() / 1000) - 3600}\n`).join(''));
    files.set(`route/${formatIPv4(wg.block.base)}`, routeGet(formatIPv4(wg.block.base), dottedMask(wg.prefix), wg.device));
    if (wg.listenPort !== undefined) sockets.push(kernelUdp(wg.listenPort));
  }
  for (const route of firewall.routes) {
    const iface = firewall.interfaces.find((i) => i.name === route.interface);
    files.set(`route/${route.network.replace('/', '_')}`, routeGet(route.network.split('/')[0]!, dottedMask(Number(route.network.split('/')[1])), iface?.device ?? '', route.via));
  }
  let fd = 9;
  for (const frontend of site.haproxy.frontends) {
    const local = frontend.address === '0.0.0.0' ? '*' : frontend.address;
    sockets.push(listening('haproxy', 31337, fd++, 'tcp4', `${local}:${frontend.port}`));
    if (frontend.httpRedirect) sockets.push(listening('haproxy', 31337, fd++, 'tcp4', `${local}:80`));
  }
  files.set('sockstat', sockstat(sockets));

  // The ruleset: OPNsense's own rules, gen's clamps before "scrub in all", gen's rules where the compiler puts them.
  const ctx = opnsenseContext(model, site, firewall);
  const scrubs = mssClamps(ctx).map((c) => `scrub on ${c.interface === 'wireguard' ? 'wireguard' : firewall.interfaces.find((i) => i.key === c.interface)!.device} proto tcp from ${c.src}/${c.srcmask} to any max-mss ${c.maxMss} `);
  // gen's rules as pf prints them (pfctl -P -sr), which OPNsense's compiler output gives too (opnsense-upstream.test.ts).
  const genLoaded = expectedRules(model, site).flatMap((r) => r.pf.map((text) => `${text} label "${r.label}"`));
  const genRules = expectedRules(model, site).flatMap((r) => r.pf.map((text) => `${text} label "${r.label}" # ${r.description}`));
  const debug: string[] = [];
  const loaded: string[] = [];
  for (const line of SYSTEM_RULES) {
    if (line.startsWith('scrub in all')) {
      appendAll(debug, scrubs);
      appendAll(loaded, scrubs.map(asLoaded));
    }
    debug.push(line);
    if (/^(pass|block|scrub|match) /.test(line)) loaded.push(asLoaded(line));
    if (line.startsWith('# [prio: 400000]')) {
      appendAll(debug, genRules);
      appendAll(loaded, genLoaded);
    }
  }
  files.set('rules.debug', `${debug.join('\n')}\n`);
  files.set('pfctl-si', PFCTL_SI);
  // Each alias's table as OPNsense loads it: the content as written (update_tables.py; opnsense-upstream.test.ts).
  for (const alias of compilePolicy(ctx).aliases) files.set(`pfctl-table/${alias.name}`, pfctlTableShow(alias.content));
  // pf prints a scrub rule's address family and its implied reassembly.
  files.set('pfctl-sr', pfctlSr(loaded.map((l) => (l.startsWith('scrub on') ? l.replace(' proto tcp from ', l.includes('::') ? ' inet6 proto tcp from ' : ' inet proto tcp from ') + ' fragment reassemble' : l))));
  return files;
}

const STUB = `#!/bin/sh
# Prints the recorded output of the firewall's tool this link is named after.
F=$FIXTURES
case \${0##*/} in
  ifconfig)
    if [ -f "$F/ifconfig/$1" ]; then cat "$F/ifconfig/$1"; exit 0; fi
    echo "ifconfig: interface $1 does not exist" >&2; exit 1 ;;
  wg)
    if [ "$1" = show ] && [ -f "$F/wg/$2.$3" ]; then cat "$F/wg/$2.$3"; exit 0; fi
    echo "Unable to access interface: No such file or directory" >&2; exit 1 ;;
  sockstat) cat "$F/sockstat" ;;
  pfctl)
    case $* in
      -si) cat "$F/pfctl-si" ;;
      -sr | '-P -sr') cat "$F/pfctl-sr" ;;
      '-t '*' -T show')
        # While update_tables.py still runs (see pgrep), the tables are not loaded yet.
        if [ "$(cat "$F/update-tables-runs" 2>/dev/null || echo 0)" -gt 0 ]; then exit 0; fi
        if [ -f "$F/pfctl-table/$2" ]; then cat "$F/pfctl-table/$2"; exit 0; fi
        echo "pfctl: Table does not exist." >&2; exit 1 ;;
      *) exit 1 ;;
    esac ;;
  pgrep)
    # pgrep -f update_tables: update-tables-runs says for how many more calls it still runs.
    n=$(cat "$F/update-tables-runs" 2>/dev/null || echo 0)
    if [ "$1" = -f ] && [ "$n" -gt 0 ]; then echo $((n - 1)) > "$F/update-tables-runs"; echo 4242; exit 0; fi
    exit 1 ;;
  route)
    f="$F/route/$(printf '%s' "$3" | tr / _)"
    if [ -f "$f" ]; then cat "$f"; exit 0; fi
    echo "route: route has not been found" >&2; exit 1 ;;
  pluginctl)
    if [ -f "$F/config/$2" ]; then cat "$F/config/$2"; fi ;;
  openssl)
    if [ "$1" = s_client ]; then cat "$F/cert.pem"; exit 0; fi
    exec "$REAL_OPENSSL" "$@" ;;
esac
`;

/** A directory of stub commands for the tools (but those in `real`), and the fixture files they print. */
export function standInBox(dir: string, files: ReadonlyMap<string, string>, tools: Record<string, string> = {}, real: readonly string[] = []): { bin: string; fixtures: string } {
  const bin = join(dir, 'bin');
  const fixtures = join(dir, 'fixtures');
  mkdirSync(bin, { recursive: true });
  for (const [path, content] of files) {
    mkdirSync(join(fixtures, path, '..'), { recursive: true });
    writeFileSync(join(fixtures, path), content);
  }
  writeFileSync(join(bin, 'stub'), STUB);
  chmodSync(join(bin, 'stub'), 0o755);
  for (const name of ['ifconfig', 'wg', 'sockstat', 'pfctl', 'pgrep', 'route', 'pluginctl', 'openssl']) if (!real.includes(name)) symlinkSync('stub', join(bin, name));
  for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(bin, name));
  return { bin, fixtures };
}

/** A self-signed certificate for the names, valid for `days` more days (real openssl). */
export function certificate(dir: string, names: readonly string[], days: number): string {
  const key = join(dir, `key-${days}.pem`);
  const out = join(dir, `cert-${days}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', out, '-days', String(days), '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`], { stdio: 'ignore' });
  return readFileSync(out, 'utf8');
}
