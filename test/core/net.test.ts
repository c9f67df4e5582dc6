// Address math: strict parsing, CIDR checks, aggregation.
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { Netmask, ip2long } from 'netmask';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { blockOf, parseAddressCidr, parseAddressWithPrefix, parseCidr, parseCidrV6, parseIPv4, parseIPv6, routeDestination } from '../../src/net.js';
import { countMethodCalls, root, sourceFiles } from '../helpers.js';

describe('parseIPv4', () => {
  const library = (text: string) => (ipaddr.IPv4.isValidFourPartDecimal(text) ? ip2long(text) >>> 0 : undefined);

  it('accepts dotted quads only', () => {
    expect(parseIPv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['10.0.1', '10.0.0.256', '010.0.0.1', '1.2.3.4.5', '0x0a.0.0.1', '', ' 10.0.0.1', '10.0.0.1/24']) {
      expect(parseIPv4(bad), bad).toBeUndefined();
    }
  });

  // The parse is ipaddr.js's four-part decimal (and netmask's value), read a character at a time.
  it('agrees with ipaddr.js and netmask on every text', () => {
    const part = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map(String),
      fc.constantFrom('0', '00', '01', '007', '255', '256', '999', '1000', '0x1f', '1e2', '+1', '-1', ' 1', '1 ', '', '١'),
    );
    const text = fc.oneof(
      fc.array(part, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
      fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', 'x', ' ', '\n', '/') }),
      fc.string(),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(parseIPv4(t), JSON.stringify(t)).toBe(library(t));
      }),
      { numRuns: 20_000 },
    );
    for (const t of ['10.0.0.1\n', '10.0.0.1 ', '4294967296', '1.2.3', '0.0.0.0', '255.255.255.255', '1.2.3.04']) expect(parseIPv4(t), JSON.stringify(t)).toBe(library(t));
  });

  it('reads an address without a regular expression (a match and four strings per address, for each of 100,000 peers)', () => {
    const texts = Array.from({ length: 10_000 }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    const { result, calls } = countMethodCalls(RegExp.prototype, ['exec', Symbol.match], () => texts.map((t) => parseIPv4(t)));
    expect(calls).toBe(0);
    expect(result).toEqual(texts.map((t) => library(t)));
  });
});

describe('parseCidr', () => {
  it('returns the block of a clean network', () => {
    expect(parseCidr('10.30.1.0/24')).toEqual({ ok: true, block: { base: 0x0a1e0100, prefix: 24, size: 256, cidr: '10.30.1.0/24' } });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ ok: true, block: { size: 2 ** 32 } });
  });

  it('names the network when host bits are set', () => {
    expect(parseCidr('10.30.1.5/24')).toEqual({ ok: false, reason: 'host-bits', canonical: '10.30.1.0/24' });
  });

  it('rejects bad prefixes', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0', '10.0.0.0/024', '10.0.0.0/-1']) expect(parseCidr(bad).ok, bad).toBe(false);
  });
});

describe('parseAddressWithPrefix', () => {
  it('keeps the host and derives its network', () => {
    expect(parseAddressWithPrefix('10.0.1.1/24')).toMatchObject({ text: '10.0.1.1', block: { cidr: '10.0.1.0/24' } });
  });
});

describe('blockOf', () => {
  // The block as netmask computes it from the formatted address (how blockOf made every block before).
  const library = (address: number, prefix: number) => {
    const mask = new Netmask(`${[24, 16, 8, 0].map((s) => (address >>> s) & 255).join('.')}/${prefix}`);
    return { base: ip2long(mask.base) >>> 0, prefix, size: mask.size, cidr: `${mask.base}/${prefix}` };
  };
  const outcome = (f: () => unknown) => {
    try {
      return { value: f() };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };

  it('agrees with netmask on every address and prefix, and on prefixes netmask rejects', () => {
    const address = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 31, 0x0a000001));
    const prefix = fc.oneof(fc.integer({ min: 0, max: 32 }), fc.constantFrom(-1, 33, 24.5, NaN, Infinity));
    fc.assert(
      fc.property(address, prefix, (a, p) => {
        expect(outcome(() => blockOf(a, p)), `${a}/${p}`).toEqual(outcome(() => library(a, p)));
      }),
      { numRuns: 20_000 },
    );
    for (let p = 0; p <= 32; p++) for (const a of [0, 2 ** 32 - 1, 0x0a0b0c0d]) expect(blockOf(a, p)).toEqual(library(a, p));
  });

  it('computes a block without formatting and parsing it again (ten conversions per block, for each of 100,000 peers)', () => {
    const addresses = Array.from({ length: 10_000 }, (_, i) => (0x0a000000 + i * 37) >>> 0);
    // netmask splits the text it parses and joins the six addresses it formats; the block's own text is one join.
    const splits = countMethodCalls(String.prototype, ['split'], () => addresses.map((a) => blockOf(a, 24)));
    const joins = countMethodCalls(Array.prototype, ['join'], () => addresses.map((a) => blockOf(a, 24)));
    expect(splits.calls).toBe(0);
    expect(joins.calls).toBeLessThanOrEqual(addresses.length);
    expect(joins.result.map((b) => b.cidr)).toEqual(addresses.map((a) => library(a, 24).cidr));
  });
});

describe('routeDestination', () => {
  it('reads a static route as the kernel keeps it: host bits cleared, IPv6 compact, the length as route(8) reads it', () => {
    const read = (texts: string[]) => texts.map((t) => [t, routeDestination(t)]);
    expect(read(['10.20.0.0/24', '10.20.0.5/24', '10.20.0.0/024', '10.20.0.255/0', '10.20.0.5/32'])).toEqual([
      ['10.20.0.0/24', '10.20.0.0/24'],
      ['10.20.0.5/24', '10.20.0.0/24'],
      ['10.20.0.0/024', '10.20.0.0/24'],
      ['10.20.0.255/0', '0.0.0.0/0'],
      ['10.20.0.5/32', '10.20.0.5/32'],
    ]);
    expect(read(['2001:DB8:0:0::1/64', '2001:db8:0:0:0:0:0:0/064', 'fd00::/8'])).toEqual([
      ['2001:DB8:0:0::1/64', '2001:db8::/64'],
      ['2001:db8:0:0:0:0:0:0/064', '2001:db8::/64'],
      ['fd00::/8', 'fd00::/8'],
    ]);
    // No route: OPNsense's is_subnet() refuses these (get_staticroutes() skips the route), as the kernel would them.
    for (const t of ['10.20.0.0', '10.20.0.0/33', '10.20.0.0/0024', '010.20.0.0/24', '10.20/16', '2001:db8::/129', '::ffff:010.0.0.0/120', 'any', '']) {
      expect(routeDestination(t), t).toBeUndefined();
    }
  });
});

describe('parseIPv6', () => {
  // The WHATWG URL parser reads an IPv6 host as RFC 4291 does and writes it as RFC 5952 does (Node's own URL):
  // the same reading as FreeBSD's and Linux's inet_pton, which read what gen writes for.
  const byUrl = (text: string) => {
    try {
      return new URL(`http://[${text}]/`).hostname.slice(1, -1);
    } catch {
      return undefined;
    }
  };
  const group = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
  // Now and then a part with a leading zero or in hex, which inet_pton refuses in an IPv6 text and ipaddr.js alone takes.
  const part = fc.oneof({ weight: 8, arbitrary: fc.nat(255).map(String) }, fc.constantFrom('010', '00', '0xa', '0x0'));
  const quad = fc.tuple(part, part, part, part).map((q) => q.join('.'));
  /** An IPv6 text: eight groups, or six and a dotted quad, with one run of groups (perhaps none) written "::". */
  const text = fc
    .tuple(fc.array(group, { minLength: 8, maxLength: 8 }), fc.boolean(), quad, fc.nat(8), fc.nat(8))
    .map(([groups, dotted, ipv4, a, b]) => {
      const parts = groups.map((g) => g.toString(16));
      if (dotted) parts.splice(6, 2, ipv4);
      const [from, to] = [Math.min(a, b), Math.max(a, b)];
      if (from === to || to > parts.length) return parts.join(':');
      return `${parts.slice(0, from).join(':')}::${parts.slice(to).join(':')}`;
    });

  it('reads every address as RFC 4291 does, "::a.b.c.d" too', () => {
    // ipaddr.js alone reads "::192.0.2.1" as ::ffff:c000:201 (its deprecatedTransitional pattern).
    expect(parseIPv6('::192.0.2.1')?.toString()).toBe('::c000:201');
    expect(parseIPv6('::ffff:192.0.2.1')?.toString()).toBe('::ffff:c000:201');
    expect(parseAddressCidr('::192.0.2.1/120')?.[0].toString()).toBe('::c000:201');
    expect(parseCidrV6('::192.0.2.0/120')).toEqual({ ok: true, cidr: '::c000:200/120', prefix: 120 });
    fc.assert(
      fc.property(text, (t) => {
        expect(parseIPv6(t)?.toString(), t).toBe(byUrl(t));
      }),
      { numRuns: 2000 },
    );
    for (const t of ['', '1::2::3', '::1.2.3', 'g::1', '::1.2.3.256', '::ffff:010.0.0.1', '::0xa.0.0.1']) expect(parseIPv6(t), t).toBeUndefined();
    // A prefix length does not change how the address is read.
    for (const t of ['::ffff:010.0.0.1/128', '010.0.0.1/24', '10.1/24']) expect(parseAddressCidr(t), t).toBeUndefined();
    for (const t of ['::ffff:010.0.0.0/104', '2001:db8::0xa.0.0.0/120', '::010.0.0.0/120']) expect(parseCidrV6(t), t).toEqual({ ok: false, reason: 'invalid' });
    expect(parseCidrV6('::ffff:10.0.0.0/104')).toEqual({ ok: true, cidr: '::ffff:a00:0/104', prefix: 104 });
    expect(parseAddressCidr('10.0.0.1/24')?.map(String)).toEqual(['10.0.0.1', '24']);
  });

  it('is the only reader of IPv6 text: no module hands one to ipaddr.js directly', () => {
    const direct = /\bipaddr\.(?:IPv6\.)?(?:parse|parseCIDR|process|networkAddressFromCIDR|broadcastAddressFromCIDR)\(/;
    const found = sourceFiles()
      .filter((file) => !file.endsWith('/src/net.ts'))
      .flatMap((file) => readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (direct.test(line) ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).toEqual([]);
  });
});
