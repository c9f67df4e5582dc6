// upstream/hairpin: HAProxy host names behind the upstream router, which
// clients inside resolve to the router's public address. The finding must
// name an address the rendered HAProxy frontend really accepts connections
// on, and stay quiet where the firewall holds the public address itself.
import { describe, expect, it } from 'vitest';
import { edit, lint, lineOfText, readExample } from '../helpers.js';
import { doc, fragments } from './support.js';

const RULE = 'upstream/hairpin';
const family = readExample('homelab-family');
// The example as an operator without the suppression would have it.
const unsilenced = family.replace(/\n *# gen-ignore upstream\/hairpin:[^\n]*/, '');

describe(RULE, () => {
  it('names the host names and an address the rendered frontend binds, at the frontend\'s hosts', async () => {
    expect(unsilenced).not.toBe(family);
    const found = (await lint(unsilenced)).filter((d) => d.rule === RULE);
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).toBe('warning');
    expect(found[0]!.location.line).toBe(lineOfText(unsilenced, 'hosts:', { after: 'name: https' }));
    for (const name of ['cloud.example.org', 'media.example.org']) expect(found[0]!.message).toContain(name);

    const files = await fragments(unsilenced, 'home');
    const wan = doc(files, 'interfaces.xml').interfaces.wan;
    const frontend = [doc(files, 'haproxy.xml').OPNsense.HAProxy.frontends.frontend].flat().find((f: { name: string }) => f.name === 'https');
    const [bindAddress, bindPort] = String(frontend.bind).split(':');
    // HAProxy binds every address: the WAN's own address is one it accepts, on the frontend's port.
    expect(bindAddress).toBe('0.0.0.0');
    expect(found[0]!.hint).toContain(`with ${wan.ipaddr} `);
    expect(found[0]!.hint).toContain(`TCP ${bindPort} `);
  });

  it('is silenced by the comment on the hosts, as the example has it', async () => {
    expect((await lint(family)).filter((d) => d.rule === RULE)).toEqual([]);
  });

  it('stays quiet when the WAN holds a public address and no router is declared', async () => {
    let open = edit(unsilenced, ['sites', 0, 'firewall', 'interfaces', 0, 'address'], '203.0.113.2/24');
    open = edit(edit(open, ['sites', 0, 'firewall', 'interfaces', 0, 'gateway'], '203.0.113.1'), ['sites', 0, 'firewall', 'upstream'], undefined);
    expect((await lint(open)).filter((d) => d.rule === RULE)).toEqual([]);
  });

  it('names the WAN address in words when the WAN takes it by DHCP behind a declared router', async () => {
    let yaml = edit(readExample('vlan-hosting'), ['sites', 0, 'haproxy', 'frontends', 0, 'hosts'], [{ name: 'shop.ikscloud.example.com', backend: 'web-pool' }]);
    expect((await lint(yaml)).filter((d) => d.rule === RULE)).toEqual([]);
    yaml = edit(yaml, ['sites', 0, 'firewall', 'upstream'], { description: 'the ISP modem in router mode' });
    const found = (await lint(yaml)).filter((d) => d.rule === RULE);
    expect(found.map((d) => d.hint)).toEqual([expect.stringContaining("the WAN's address (HAProxy listens on every address)")]);
  });

  it('reports a reflected forward on a WAN behind the router, at its reflection, and not one without reflection', async () => {
    const forward = { name: 'grafana-in', proto: 'tcp', port: 8080, service: 'grafana', reflection: true };
    const reflected = edit(readExample('homelab'), ['sites', 0, 'firewall', 'nat', 'port_forwards'], [forward]);
    const found = (await lint(reflected)).filter((d) => d.rule === RULE);
    expect(found).toHaveLength(1);
    expect(found[0]!.location.line).toBe(lineOfText(reflected, 'reflection: true'));
    // What the reflection matches: the WAN interface's own address in the rendered config, not the router's public one.
    const wan = doc(await fragments(reflected, 'home'), 'interfaces.xml').interfaces.wan;
    expect(found[0]!.message).toContain(`reflects connections to ${wan.ipaddr},`);
    const plain = edit(reflected, ['sites', 0, 'firewall', 'nat', 'port_forwards'], [Object.assign({}, forward, { reflection: false })]);
    expect((await lint(plain)).filter((d) => d.rule === RULE)).toEqual([]);
  });
});
