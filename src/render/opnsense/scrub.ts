// <filter><scrub>: the TCP MSS clamp of the WireGuard tunnels (Firewall ▸
// Settings ▸ Normalization; without it large transfers stall while pings and
// SSH work). A TCP segment must
// fit the tunnel MTU: max MSS = MTU - 40 for IPv4, MTU - 60 for IPv6.
// Normalization rules are legacy in every release gen targets (25.7, 26.1,
// 26.7 have no MVC model for them); filter_generate_scrubbing() compiles a
// rule to `scrub on { <devices> } proto tcp from <src> to any max-mss N`.
//
// - A legacy scrub rule has no address family; an address gives it one. The
//   GUI offers masks 1 to 128 only (a saved /0 would lose its mask), so each
//   family is covered by two halves: 0.0.0.0/1 + 128.0.0.0/1, ::/1 + 8000::/1.
// - The rules sit on the interface group "wireguard" (every instance's
//   device joins it), which OPNsense registers while WireGuard is enabled;
//   with WireGuard disabled it comments the rules out silently, and there is
//   no tunnel to clamp. The verification script reports them missing.
// - Instances with different MTUs cannot share the group's rules: each
//   assigned instance then gets its own on its interface, listed first (pf
//   applies the first scrub rule that matches).
import type { WireguardInstance } from '../../model.js';
import { WIREGUARD_GROUP } from '../../targets/opnsense/interfaces.js';
import { type OpnsenseContext } from './context.js';
import { type XmlElement, element, leaf } from './xml.js';

/** Bytes of the IP and TCP headers in front of a TCP segment's payload. */
export const TCP_IP_HEADERS = { inet: 40, inet6: 60 } as const;

const HALVES = {
  inet: [
    ['0.0.0.0', '1'],
    ['128.0.0.0', '1'],
  ],
  inet6: [
    ['::', '1'],
    ['8000::', '1'],
  ],
} as const;

export interface MssClamp {
  /** OPNsense interface key or group the rules sit on. */
  interface: string;
  family: 'inet' | 'inet6';
  src: string;
  srcmask: string;
  maxMss: number;
  mtu: number;
  instances: WireguardInstance[];
  uuid: string;
  description: string;
}

interface Target {
  interface: string;
  mtu: number;
  instances: WireguardInstance[];
}

function targets(ctx: OpnsenseContext): Target[] {
  const instances = ctx.site.wireguard;
  const mtus = new Set(instances.map((i) => i.mtu));
  if (mtus.size <= 1) return instances.length ? [{ interface: WIREGUARD_GROUP, mtu: instances[0]!.mtu, instances }] : [];
  const out: Target[] = [];
  const unassigned: WireguardInstance[] = [];
  for (const instance of instances) {
    const key = instance.interface !== undefined ? ctx.interfaceByName.get(instance.interface)?.key : undefined;
    if (key !== undefined) out.push({ interface: key, mtu: instance.mtu, instances: [instance] });
    else unassigned.push(instance);
  }
  if (unassigned.length) out.push({ interface: WIREGUARD_GROUP, mtu: unassigned.reduce((min, i) => Math.min(min, i.mtu), Infinity), instances: unassigned });
  return out;
}

/** The clamp rules of a site, in the order pf must see them. */
export function mssClamps(ctx: OpnsenseContext): MssClamp[] {
  return targets(ctx).flatMap((target) =>
    (['inet', 'inet6'] as const).flatMap((family) =>
      HALVES[family].map(([src, srcmask]) => {
        const maxMss = target.mtu - TCP_IP_HEADERS[family];
        const names = target.instances.map((i) => i.name).join(', ');
        return {
          interface: target.interface,
          family,
          src,
          srcmask,
          maxMss,
          mtu: target.mtu,
          instances: target.instances,
          uuid: ctx.uuid('scrub-rule', `${target.interface}/${src}/${srcmask}`),
          description: `gen: TCP MSS clamp for WireGuard ${names}: tunnel MTU ${target.mtu} - ${TCP_IP_HEADERS[family]} (${family === 'inet' ? 'IPv4' : 'IPv6'}, ${src}/${srcmask})`,
        };
      }),
    ),
  );
}

export function scrubElement(ctx: OpnsenseContext): XmlElement | undefined {
  const clamps = mssClamps(ctx);
  if (clamps.length === 0) return undefined;
  return element(
    'scrub',
    clamps.map((c) =>
      element(
        'rule',
        [
          leaf('interface', c.interface),
          leaf('proto', 'tcp'),
          leaf('src', c.src),
          leaf('srcmask', c.srcmask),
          leaf('dst', 'any'),
          leaf('max-mss', c.maxMss),
          leaf('descr', c.description),
        ],
        [['uuid', c.uuid]],
      ),
    ),
  );
}
