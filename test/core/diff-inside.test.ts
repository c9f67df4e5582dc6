// gen diff's words for what clients inside reach by the public address and
// names: a port forward's NAT reflection and the Unbound host overrides of
// HAProxy's host names, each checked against the fragment gen writes.
import { describe, expect, it } from 'vitest';
import { describeChanges } from '../../src/diff/facts.js';
import { edit, modelOf, readExample } from '../helpers.js';
import { doc, fragments } from '../opnsense/support.js';

const A = readExample('homelab');
const FORWARDS = ['sites', 0, 'firewall', 'nat', 'port_forwards'];
const HOSTS = ['sites', 0, 'haproxy', 'frontends', 0, 'hosts'];

async function words(before: string, after: string): Promise<string[]> {
  return describeChanges(await modelOf(before), await modelOf(after));
}

describe('gen diff: what clients inside reach', () => {
  it("a port forward's reflection turned on and off: the rdr OPNsense repeats inside, in words", async () => {
    const forward = { name: 'grafana-in', proto: 'tcp', port: 8080, service: 'grafana' };
    const plain = edit(A, FORWARDS, [forward]);
    const reflected = edit(A, FORWARDS, [Object.assign({}, forward, { reflection: true })]);
    // The rule as the box reads it: ForwardRule.php repeats an rdr inside for natreflection "purenat" or "enable".
    const rules = async (yaml: string) => [doc(await fragments(yaml, 'home'), 'nat.xml').nat.rule].flat();
    const rule = (await rules(reflected))[0];
    expect(['enable', 'purenat']).toContain(rule.natreflection);
    expect((await rules(plain))[0].natreflection ?? '').toBe('');
    const wanIf = rule.interface;
    const what = `a connection to the ${wanIf} address on TCP ${rule.destination.port} reaches ${rule.target}:${rule['local-port']}`;
    expect(await words(plain, reflected)).toEqual([`port forward grafana-in now reflected to clients inside: ${what}`]);
    expect(await words(reflected, plain)).toEqual([`port forward grafana-in no longer reflected to clients inside (was: ${what})`]);
  });

  it('a reflected port forward whose target or port changes: from the old to the new, as the rules say', async () => {
    const forward = { name: 'grafana-in', proto: 'tcp', port: 8080, service: 'grafana', reflection: true };
    const rule = async (yaml: string) => [doc(await fragments(yaml, 'home'), 'nat.xml').nat.rule].flat()[0];
    const before = edit(A, FORWARDS, [forward]);
    const moved = edit(A, FORWARDS, [Object.assign({}, forward, { service: 'traefik' })]);
    const [a, b] = [await rule(before), await rule(moved)];
    const target = (r: Record<string, string>) => `${r.target}:${r['local-port']}`;
    const where = (r: { interface: string; destination: { port: string } }) => `the ${r.interface} address on TCP ${r.destination.port}`;
    expect(target(a)).not.toBe(target(b));
    expect(await words(before, moved)).toContain(`port forward grafana-in reflected to clients inside: the target of a connection to ${where(a)} moved from ${target(a)} to ${target(b)}`);
    expect(await words(moved, before)).toContain(`port forward grafana-in reflected to clients inside: the target of a connection to ${where(a)} moved from ${target(b)} to ${target(a)}`);
    const port = edit(A, FORWARDS, [Object.assign({}, forward, { port: 8081 })]);
    const c = await rule(port);
    expect(await words(before, port)).toContain(`port forward grafana-in reflected to clients inside: a connection to ${target(a)} moved from ${where(a)} to ${where(c)}`);
    const both = edit(A, FORWARDS, [Object.assign({}, forward, { port: 8081, service: 'traefik' })]);
    const d = await rule(both);
    expect(await words(before, both)).toContain(`port forward grafana-in reflected to clients inside: a connection moved from ${where(a)} to ${where(d)}, its target from ${target(a)} to ${target(d)}`);
  });

  it("HAProxy host names answered inside, opted out, and gone: the Unbound host overrides, in words", async () => {
    const answered = edit(A, HOSTS, [{ name: 'cloud.example.com', backend: 'web' }]);
    const [host] = [doc(await fragments(answered, 'home'), 'unbound.xml').OPNsense.unboundplus.hosts.host].flat();
    const name = `${host.hostname}.${host.domain}`;
    expect(name).toBe('cloud.example.com');
    expect(await words(A, answered)).toEqual([`HAProxy host name ${name} now answered inside with ${host.server} (Unbound host override, frontend https)`]);
    const optedOut = edit(answered, ['sites', 0, 'haproxy', 'frontends', 0, 'split_dns'], false);
    expect((await fragments(optedOut, 'home')).has('unbound.xml')).toBe(false);
    expect(await words(answered, optedOut)).toEqual([
      `HAProxy host name ${name} no longer answered inside by the firewall's resolver (was ${host.server}): left to the public DNS inside (split_dns: false on frontend https)`,
    ]);
    expect(await words(optedOut, answered)).toEqual([`HAProxy host name ${name} now answered inside with ${host.server} (Unbound host override, frontend https)`]);
    expect(await words(answered, A)).toEqual([`HAProxy host name ${name} no longer answered inside by the firewall's resolver (was ${host.server})`]);
    // Behind a router whose WAN takes its address by DHCP: a frontend on every address has no address to answer with, and gen writes no override.
    const hosted = edit(readExample('vlan-hosting'), HOSTS, [{ name: 'shop.ikscloud.example.com', backend: 'web-pool' }]);
    const dhcp = edit(hosted, ['sites', 0, 'firewall', 'upstream'], { description: 'the ISP modem in router mode' });
    const site = readExample('vlan-hosting').match(/- name: (\S+)/)![1]!;
    const files = await fragments(dhcp, site);
    expect(doc(files, 'interfaces.xml').interfaces.wan.ipaddr).toBe('dhcp');
    expect(files.has('unbound.xml')).toBe(false);
    const frontend = [doc(files, 'haproxy.xml').OPNsense.HAProxy.frontends.frontend].flat()[0].name;
    expect(await words(hosted, dhcp)).toContain(
      `HAProxy host name shop.ikscloud.example.com left to the public DNS inside (frontend ${frontend} binds every address and the WAN takes its address by DHCP)`,
    );
  });
});
