// What `gen wg doctor` asks the client machine: the running tunnels (`wg
// show all dump`), the tunnel interface's addresses and routes, name
// resolution, and pings with the don't-fragment bit. Linux (iproute2,
// iputils) and macOS/BSD (ifconfig, route, ping -D). Each answer says when
// it could not be had, so the doctor reports "not checked" with the reason
// instead of a wrong verdict.
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';

export interface RunningPeer {
  publicKey: string;
  endpoint?: string;
  allowedIps: string[];
  /** Unix seconds of the latest handshake; 0 = none yet. */
  latestHandshake: number;
  keepalive?: number;
}

export interface RunningInterface {
  name: string;
  publicKey: string;
  listenPort?: number;
  /** The mark on the tunnel's own packets (wg-quick sets one for a full tunnel on Linux), absent when off. */
  fwmark?: number;
  peers: RunningPeer[];
}

/** 'unmarked': a mark was asked for and ping could not set it, so it sent nothing that means anything. */
export type PingResult = 'reply' | 'too-big' | 'no-reply' | 'unmarked';

export interface Probes {
  /** The tunnels this machine runs, or why they cannot be read. */
  tunnels(): RunningInterface[] | string;
  /** IPv4 addresses with prefix on an interface, or why they cannot be read. */
  addresses(iface: string): string[] | string;
  /** The interface the system routes an address through. */
  routeDevice(address: string): string | undefined;
  resolve(host: string): Promise<string[] | string>;
  /** A ping with don't-fragment; `mark` sets the socket's mark (SO_MARK), as a tunnel's own packets have. */
  ping(address: string, payload: number, mark?: number): PingResult;
  /** Unix seconds. */
  now(): number;
}

/** Runs a probe command; its whole output is read (`wg show all dump` on a hub of many thousand peers passes Node's default 1 MiB). */
export function runProbe(command: string, args: string[]): { status: number; stdout: string; stderr: string; missing: boolean } {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000, maxBuffer: 256 * 1024 * 1024 });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', missing };
}

/** `wg show all dump`: interface lines have 5 tab-separated fields (the last the fwmark, 0x… or off), peer lines 9 (wg(8)). */
export function parseDump(text: string): RunningInterface[] {
  const byName = new Map<string, RunningInterface>();
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length === 5) byName.set(f[0]!, { name: f[0]!, publicKey: f[2]!, listenPort: Number(f[3]) || undefined, fwmark: Number(f[4]) || undefined, peers: [] });
    else if (f.length === 9) {
      byName.get(f[0]!)?.peers.push({
        publicKey: f[1]!,
        endpoint: f[3] === '(none)' ? undefined : f[3],
        allowedIps: f[4] === '(none)' ? [] : f[4]!.split(','),
        latestHandshake: Number(f[5]) || 0,
        keepalive: f[8] === 'off' ? undefined : Number(f[8]),
      });
    }
  }
  return [...byName.values()];
}

export const systemProbes: Probes = {
  tunnels() {
    const r = runProbe('wg', ['show', 'all', 'dump']);
    if (r.missing) return 'wg (wireguard-tools) is not installed';
    // Never its standard output: the dump's interface lines hold the private keys, and a wg killed at the
    // time limit leaves part of it there with nothing on stderr.
    if (r.status !== 0) return `wg show all dump: ${r.stderr.trim() || (r.status === -1 ? 'did not finish' : `exit status ${r.status}`)}${process.getuid?.() !== 0 ? ' (run as root, e.g. with sudo)' : ''}`;
    return parseDump(r.stdout);
  },
  addresses(iface) {
    const ip = runProbe('ip', ['-o', '-4', 'addr', 'show', 'dev', iface]);
    if (!ip.missing) return ip.status === 0 ? [...ip.stdout.matchAll(/ inet (\S+)/g)].map((m) => m[1]!) : ip.stderr.trim();
    const ifc = runProbe('ifconfig', [iface]);
    if (ifc.status !== 0) return ifc.stderr.trim() || `ifconfig ${iface} failed`;
    // macOS/BSD: "inet 10.0.1.2 --> 10.0.1.2 netmask 0xffffff00"
    return [...ifc.stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)(?: --> \S+)? netmask 0x([0-9a-f]{8})/g)].map((m) => `${m[1]}/${[...parseInt(m[2]!, 16).toString(2)].filter((b) => b === '1').length}`);
  },
  routeDevice(address) {
    const ip = runProbe('ip', ['route', 'get', address]);
    if (!ip.missing) return / dev (\S+)/.exec(ip.stdout)?.[1];
    const route = runProbe('route', ['-n', 'get', address]);
    return /interface: (\S+)/.exec(route.stdout)?.[1];
  },
  async resolve(host) {
    try {
      return (await lookup(host, { all: true })).map((a) => a.address);
    } catch (error) {
      return `does not resolve (${(error as NodeJS.ErrnoException).code ?? 'no answer'})`;
    }
  },
  ping(address, payload, mark) {
    const linux = process.platform === 'linux';
    // Only Linux has socket marks; iputils takes the mark in decimal.
    if (mark !== undefined && !linux) return 'unmarked';
    const marked = mark === undefined ? [] : ['-m', String(mark)];
    const args = linux ? ['-M', 'do', ...marked, '-c', '1', '-W', '1', '-s', String(payload), address] : ['-D', '-c', '1', '-t', '1', '-s', String(payload), address];
    const r = runProbe('ping', args);
    // iputils warns and sends unmarked without CAP_NET_ADMIN; a ping without -m (busybox) refuses the option.
    if (mark !== undefined && /failed to set mark|invalid option|unrecognized option/i.test(r.stderr)) return 'unmarked';
    if (/message too long|frag needed|fragmentation needed/i.test(r.stdout + r.stderr)) return 'too-big';
    return r.status === 0 ? 'reply' : 'no-reply';
  },
  now: () => Math.floor(Date.now() / 1000),
};
