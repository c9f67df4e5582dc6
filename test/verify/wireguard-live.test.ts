// The firewall's verification script against a running WireGuard instance:
// scenario A's wg0 (keys made by gen wg keygen/add-peer, files by gen wg
// export-instance/export) on wireguard-go in a network namespace, a client
// in another with a handshake and a ping; the script reads the instance
// with the real `wg` and this namespace's state through FreeBSD-format
// shims (test/scripts/freebsd-shims), the rest of the box from recorded
// outputs. Peers removed or added on the running instance and another
// listen port are each reported by the check that names them. On the
// client's side, gen wg doctor checks the client file and the live tunnel
// (handshake, routes, full-size packets, the host behind the firewall),
// and names the path MTU when the client's link shrinks.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contains, parseCidr, parseIPv4 } from '../../src/net.js';
import { lintText } from '../../src/pipeline.js';
import { edit, lineOfText, root } from '../helpers.js';
import { attempt, missing } from '../system-tools.js';
import { gen } from '../wireguard/cli.js';
import { certificate, healthyFirewall, standInBox } from './firewall-box.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const work = tempDir('gen-verify-wg-');

/** "=== run N (rc=R)" sections of wg-verify.sh's output. */
export function runs(stdout: string): { rc: number; lines: string[] }[] {
  return stdout
    .split(/^=== run \d+ /m)
    .slice(1)
    .map((part) => {
      const [head, ...rest] = part.split('\n');
      return { rc: Number(/rc=(\d+)/.exec(head!)![1]), lines: rest.filter(Boolean) };
    });
}

const why = missing(['wg', 'wg-quick', 'wireguard-go', 'ip', 'ping', 'ss', 'nsenter', 'openssl']);

describe.skipIf(why)(`the firewall script against a live wireguard-go instance${why ? ` (skipped: ${why})` : ''}`, () => {
  it('passes on the running instance, and names a missing peer, an extra peer and another port', async () => {
    const topology = join(work, 'topology.yaml');
    // The endpoint is the instance's address on the link between the namespaces (wg-verify.sh).
    writeFileSync(topology, edit(readFileSync(join(root, 'topology.yaml'), 'utf8'), ['sites', 0, 'wireguard', 0, 'endpoint'], '10.254.253.1'));
    expect((await gen('wg', 'keygen', '--instance', 'wg0', '--force', '-f', topology)).code).toBe(0);
    expect((await gen('wg', 'add-peer', 'e2e-laptop', '--role', 'workstation', '-f', topology)).code).toBe(0);
    const out = join(work, 'out');
    expect((await gen('build', topology, '--out', out)).code).toBe(0);
    const server = join(work, 'server.conf');
    const client = join(work, 'client.conf');
    expect((await gen('wg', 'export-instance', '-f', topology, '-o', server)).code).toBe(0);
    expect((await gen('wg', 'export', 'e2e-laptop', '-f', topology, '-o', client)).code).toBe(0);

    const text = readFileSync(topology, 'utf8');
    const { model } = await lintText(text, topology);
    const site = model!.sites[0]!;
    const wg0 = site.wireguard[0]!;
    const peer = (name: string) => wg0.peers.find((p) => p.name === name)!;
    const files = healthyFirewall(model!, site);
    files.set('cert.pem', certificate(work, ['*.example.com'], 90));
    files.set('sockstat.extra', files.get('sockstat')!.split('\n').filter((l) => l.includes('haproxy')).join('\n') + '\n');
    const { bin, fixtures } = standInBox(join(work, 'box'), files, {}, ['wg', 'ifconfig', 'sockstat', 'route']);

    const mac = peer('mac-workstation');
    const iphone = peer('iphone-john');
    // The Proxmox host's address in a network the VPN reaches: the doctor pings it through the tunnel.
    const reach = peer('e2e-laptop').reach.map((cidr) => parseCidr(cidr)).flatMap((c) => (c.ok ? [c.block] : []));
    const hostAddress = site.hosts[0]!.bridges.find((b) => b.address !== undefined && reach.some((block) => contains(block, parseIPv4(b.address!)!)))!.address!;
    const doctorCmd = `${process.execPath} ${join(root, 'bin/gen.js')} wg doctor ${client} -f ${topology}`;
    const r = attempt('env', [
      `SERVER_ADDRESSES=${hostAddress}`,
      `CLIENT_COMMAND=${doctorCmd}; echo "=== smaller link"; ip link set ul-c mtu 1450; ${doctorCmd}`,
      `VERIFY_SHIMS=${join(root, 'test/scripts/freebsd-shims')}`,
      `VERIFY_STUBS=${bin}`,
      `FIXTURES=${fixtures}`,
      'REAL_OPENSSL=/usr/bin/openssl',
      `VERIFY_ARGS=--rules-debug ${join(fixtures, 'rules.debug')}`,
      'bash',
      join(root, 'test/scripts/wg-verify.sh'),
      server,
      client,
      join(out, 'home/verify/firewall-opnsense.sh'),
      `wg set wg0 peer ${mac.publicKey} remove`,
      `wg set wg0 peer ${mac.publicKey} allowed-ips ${mac.address}/32 && wg set wg0 peer ${iphone.publicKey} allowed-ips ${iphone.address}/32`,
      `wg set wg0 peer ${iphone.publicKey} remove && wg set wg0 listen-port ${wg0.listenPort! + 1}`,
    ]);
    expect(r.stdout, r.stderr).toContain('handshake and ping: OK');
    const [healthy, missingPeer, extraPeer, otherPort] = runs(r.stdout);
    const failed = (run: { lines: string[] }) => run.lines.filter((l) => l.startsWith('✗'));
    const wgLine = `topology.yaml:${lineOfText(text, '- name: wg0')}`;
    const peersCheck = `✗ wg0 has exactly the 3 enabled peers, each with its own address (${wgLine})`;

    expect(failed(healthy!), healthy!.lines.join('\n')).toEqual([]);
    expect(healthy!.rc).toBe(0);
    expect(healthy!.lines).toContain(`✓ WireGuard wg0 (wg0) is up with ${wg0.address}/${wg0.prefix}, MTU ${wg0.mtu} (${wgLine})`);

    expect(failed(missingPeer!)).toEqual([`${peersCheck}: missing mac-workstation (topology.yaml:${lineOfText(text, 'name: mac-workstation')}) ${mac.publicKey}`]);
    expect(missingPeer!.rc).toBe(1);
    expect(failed(extraPeer!)).toEqual([`${peersCheck}: extra ${iphone.publicKey} (${iphone.address}/32)`]);
    expect(failed(otherPort!)).toEqual([
      `✗ wg0 listens on UDP port ${wg0.listenPort} (${wgLine}): wg show wg0 listen-port: ${wg0.listenPort! + 1}; sockstat -l: no UDP socket on port ${wg0.listenPort}`,
    ]);
    expect(otherPort!.rc).toBe(1);

    const clientOut = r.stdout.slice(r.stdout.indexOf('=== client\n'), r.stdout.indexOf('=== client rc='));
    const [doctorHealthy, doctorSmall] = clientOut.split('=== smaller link\n');
    expect(doctorHealthy!.split('\n').filter((l) => l.startsWith('✗')), doctorHealthy).toEqual([]);
    for (const line of [
      "✓ its private key is peer e2e-laptop's (instance wg0, site home)",
      '✓ the latest handshake is recent (under 180 s)',
      '✓ every AllowedIPs network routes into',
      `✓ full-size packets (MTU ${wg0.mtu}) reach the firewall's tunnel address ${wg0.address} with don't-fragment`,
      `✓ the path to the endpoint 10.254.253.1 carries a full tunnel packet (${wg0.mtu} + 60 bytes) unfragmented`,
      `✓ Proxmox host pve answers at ${hostAddress} through the tunnel`,
    ]) {
      expect(doctorHealthy).toContain(line);
    }
    expect(doctorSmall).toContain(`✗ the path to the endpoint 10.254.253.1 carries a full tunnel packet (${wg0.mtu} + 60 bytes) unfragmented (${wgLine}): the path carries at most 1450 bytes\n  fix: lower the tunnel MTU to 1390`);
  });
});
