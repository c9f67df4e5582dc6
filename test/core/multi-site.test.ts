// Two sites in one topology, as a small hosting business or a family with
// two homes has them: each site's things may be named as the other's (a
// Proxmox host pve, an instance wg0 with the same roles and the same
// person's laptop, a frontend https, a firewall opnsense), and each site's
// WAN is its own, behind its own router (both on 192.168.0.0/24). What
// must stay an error still is: a name twice in one site, the same internal
// network at two sites, a WAN over the same site's network.
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { lint, lineOfText, readExample } from '../helpers.js';

/**
 * topology.yaml with a second site, office: the first one's copy with its internal networks moved (10.0 to 10.20, 10.1 to 10.21),
 * WAN as it is, and its backup server's datastore named apart (`shared` keeps the first's: backup/datastore-shared).
 */
function twoSites(change: (office: string) => string = (office) => office, shared = false): string {
  const doc = parse(readExample('homelab')) as { sites: { name: string }[] };
  const copy = JSON.stringify(doc.sites[0]).replace(/"10\.0\./g, '"10.20.').replace(/"10\.1\./g, '"10.21.');
  const office = JSON.parse(change(shared ? copy : copy.replace('"datastore":"vm-backup-s3"', '"datastore":"office-backup-s3"'))) as { name: string };
  office.name = 'office';
  doc.sites.push(office);
  return stringify(doc);
}

const errors = async (text: string) => (await lint(text)).filter((d) => d.severity === 'error');

describe('two sites', () => {
  it('may each have a host pve, an instance wg0 with the same roles and peers, a frontend https and a firewall opnsense, on WANs of one range', async () => {
    // The same devices at the second site, their tunnels named apart (wg/tunnel-name-across-sites, below).
    const text = twoSites((office) => office.replace('"tunnel_name":"mac-ws"', '"tunnel_name":"office-mac"').replace('"name":"laptop-john",', '"name":"laptop-john","tunnel_name":"office-john",'));
    // The second site's things are named as the first's.
    for (const needle of ['name: pve', 'name: wg0', 'name: laptop-john', 'name: workstation', 'name: https', 'name: opnsense', 'address: 192.168.0.2/24']) {
      expect(text.split('\n').filter((l) => l.includes(needle)), needle).toHaveLength(2);
    }
    expect(await lint(text)).toEqual([]);
  });

  it('warns where one device (one public key) gets the same tunnel name at both: it can import only one of the two files', async () => {
    const text = twoSites();
    const found = (await lint(text)).map((d) => [d.rule, d.severity, d.location.line, d.related?.map((r) => r.location.line), d.hint]);
    // The disabled iphone-john has no client file at either site.
    expect(found).toEqual([
      ['wg/tunnel-name-across-sites', 'warning', lineOfText(text, 'tunnel_name: mac-ws', { after: 'name: office' }), [lineOfText(text, 'name: mac-workstation')], 'Set tunnel_name on peer mac-workstation at site office, e.g. office-mac.'],
      ['wg/tunnel-name-across-sites', 'warning', lineOfText(text, 'name: laptop-john', { after: 'name: office' }), [lineOfText(text, 'name: laptop-john')], 'Set tunnel_name on peer laptop-john at site office, e.g. office-lapt.'],
    ]);
    expect((await lint(text))[1]!.message).toBe(
      'peer laptop-john of wg0 at site office is the device of peer laptop-john of wg0 at site home (the same public key), and both client files are laptop-john.conf (and laptop-john-lan.conf): the device holds one tunnel of that name, and the WireGuard apps refuse to import the second',
    );
    // Another device of the same name (its own key) is no such finding: its tunnels are on another device.
    expect(await lint(twoSites((office) => office.replace(/"public_key":"Lgn4vZd3[^"]*"/, '"public_key":"eajhiClqdn4DDwQW29Ru4kFkNJxNiADHeD5oQ0BLmD4="')))).toHaveLength(1);
  });

  it('still may not name a peer twice in one instance, nor a bridge twice on one host', async () => {
    const text = twoSites((office) => office.replace('"name":"laptop-john"', '"name":"mac-workstation"').replace('"name":"vmbr2"', '"name":"vmbr1"'));
    const found = (await errors(text)).filter((d) => d.rule === 'names/duplicate').map((d) => [d.rule, d.message, d.location.line]);
    expect(found).toEqual([
      ['names/duplicate', 'bridge "vmbr1" is declared twice in host pve', lineOfText(text, 'name: vmbr1', { after: 'name: office', nth: 1 })],
      ['names/duplicate', 'WireGuard peer "mac-workstation" is declared twice in instance wg0', lineOfText(text, 'name: mac-workstation', { after: 'name: office', nth: 1 })],
    ]);
  });

  it("may not keep their backup servers' datastores of one name in one bucket: the second server could not create its own", async () => {
    const text = twoSites(undefined, true);
    const found = (await errors(text)).map((d) => [d.rule, d.location.line, d.related?.map((r) => r.location.line), d.hint]);
    expect(found).toEqual([
      [
        'backup/datastore-shared',
        lineOfText(text, 'datastore: vm-backup-s3', { after: 'name: office' }),
        [lineOfText(text, 'datastore: vm-backup-s3')],
        'Name the datastore of site office otherwise (e.g. datastore: office-vm-backup-s3; at most 32 characters), or give it another bucket.',
      ],
    ]);
  });

  it('still may not have one internal network at both, nor a WAN over its own network', async () => {
    // The office's service network on the home's.
    const sameInternal = twoSites((office) => office.replace(/"10\.21\./g, '"10.1.'));
    expect((await errors(sameInternal)).filter((d) => d.rule === 'ip/overlap').map((d) => d.message)).toEqual([
      'network service (10.1.0.0/24, site office) is the same range as network service (10.1.0.0/24, site home)',
    ]);
    // The office's WAN on its own management network.
    const ownWan = twoSites((office) => office.replace('"address":"192.168.0.2/24","gateway":"192.168.0.1"', '"address":"10.20.0.2/24","gateway":"10.20.0.3"'));
    expect((await errors(ownWan)).filter((d) => d.rule === 'ip/overlap').map((d) => d.message)).toContainEqual(expect.stringMatching(/^network (wan|management) \(10\.20\.0\.0\/24, site office\) is the same range as network (wan|management) \(10\.20\.0\.0\/24, site office\)$/));
  });
});
