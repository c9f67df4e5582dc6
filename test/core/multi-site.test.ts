// Two sites in one topology, as a small hosting business or a family with
// two homes has them: each site's things may be named as the other's (a
// Proxmox host pve, an instance wg0 with the same roles and the same
// person's laptop, a frontend https, a firewall opnsense), and each site's
// WAN is its own, behind its own router (both on 192.168.0.0/24). What
// must stay an error still is: a name twice in one site, the same internal
// network at two sites, a WAN over the same site's network.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { contains, parseCidr, parseIPv4 } from '../../src/net.js';
import { lint, lineOfText, readExample, render } from '../helpers.js';
import { gen, topologyCases } from '../wireguard/cli.js';

/** The office's own WireGuard instance key (the home's is the example's). */
const OFFICE_INSTANCE_KEY = '0pCNLTTHI3oDk4uqNeTzC5+Ab5qJ6nxm37BJtxiUvWY=';

/**
 * topology.yaml with a second site, office: the first one's copy with its internal networks moved (10.0 to 10.20, 10.1 to 10.21),
 * WAN as it is, its WireGuard instance's key pair its own, and its backup server's datastore named apart (`shared` keeps the
 * first's: backup/datastore-shared). `home` changes the first site before it is copied.
 */
function twoSites(change: (office: string) => string = (office) => office, shared = false, home: (site: string) => string = (site) => site): string {
  const doc = parse(readExample('homelab')) as { sites: { name: string; wireguard: { public_key: string }[] }[] };
  doc.sites[0] = JSON.parse(home(JSON.stringify(doc.sites[0]))) as (typeof doc.sites)[0];
  const homeKey = doc.sites[0].wireguard[0]!.public_key;
  const copy = JSON.stringify(doc.sites[0]).replace(/"10\.0\./g, '"10.20.').replace(/"10\.1\./g, '"10.21.').replace(`"public_key":"${homeKey}"`, `"public_key":"${OFFICE_INSTANCE_KEY}"`);
  const office = JSON.parse(change(shared ? copy : copy.replace('"datastore":"vm-backup-s3"', '"datastore":"office-backup-s3"'))) as (typeof doc.sites)[0];
  office.name = 'office';
  doc.sites.push(office);
  return stringify(doc);
}

const errors = async (text: string) => (await lint(text)).filter((d) => d.severity === 'error');
const newCase = topologyCases('gen-multi-site-');

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

  it("warns where one device's two client files route the same range: the sites' WANs share one, and both policies reach into it", async () => {
    // Each site's VPN clients reach a NAS on its upstream router's LAN, at 192.168.0.50 at both.
    const nas = (site: string) => site.replace('"rules":[', '"rules":[{"name":"vpn-nas","from":"vpn","to":"192.168.0.50","proto":"tcp","ports":[445],"action":"pass"},');
    const text = twoSites(undefined, false, nas);
    const found = (await lint(text)).filter((d) => d.rule === 'wg/allowed-ips-across-sites');
    expect(found.map((d) => [d.severity, d.location.line, d.related?.map((r) => r.location.line)])).toEqual([
      ['warning', lineOfText(text, 'name: mac-workstation', { after: 'name: office' }), [lineOfText(text, 'name: mac-workstation')]],
      ['warning', lineOfText(text, 'name: laptop-john', { after: 'name: office' }), [lineOfText(text, 'name: laptop-john')]],
    ]);
    // What the two client files say: the same /32 in both, which wg-quick cannot route through two interfaces.
    const files = await render(text);
    const allowed = ['home', 'office'].map((site) => /^AllowedIPs = (.*)$/m.exec(files.get(`${site}/wireguard/laptop-john.conf`)!)![1]!.split(', '));
    expect(allowed[0]).toContain('192.168.0.50/32');
    expect(allowed[1]).toContain('192.168.0.50/32');
    expect(found[1]!.message).toContain('both client files route the same range 192.168.0.50/32 into their tunnel');
    // A range of one site that holds the other's: the narrower one reaches one site only.
    const wide = twoSites((office) => office.replace('"to":"192.168.0.50"', '"to":"192.168.0.0/25"'), false, nas);
    // The office's client file routes the /25 as blocks around the firewall's own address; the one that holds .50 is reported.
    const officeAllowed = /^AllowedIPs = (.*)$/m.exec((await render(wide)).get('office/wireguard/laptop-john.conf')!)![1]!.split(', ');
    const holding = officeAllowed.filter((cidr) => {
      const parsed = parseCidr(cidr);
      return parsed.ok && contains(parsed.block, parseIPv4('192.168.0.50')!) && parsed.block.prefix < 32;
    });
    expect(holding).toHaveLength(1);
    expect((await lint(wide)).filter((d) => d.rule === 'wg/allowed-ips-across-sites').map((d) => d.message.replace(/^.*both client files route /, ''))).toEqual(
      Array(2).fill(`ranges of which one holds the other, ${holding[0]} (site home: 192.168.0.50/32) into their tunnel: with both tunnels up, the device reaches it at one site only, and wg-quick cannot bring up the second over the same range`),
    );
    // The office's router on another LAN (its NAS there): no range in common.
    const apart = twoSites((office) => office.replace(/192\.168\.0\./g, '192.168.1.'), false, nas);
    expect((await lint(apart)).filter((d) => d.rule === 'wg/allowed-ips-across-sites' || d.severity === 'error')).toEqual([]);
    // Another device of the same name (its own key) is no such finding.
    const other = twoSites((office) => office.replace(/"public_key":"Lgn4vZd3[^"]*"/, '"public_key":"eajhiClqdn4DDwQW29Ru4kFkNJxNiADHeD5oQ0BLmD4="'), false, nas);
    expect((await lint(other)).filter((d) => d.rule === 'wg/allowed-ips-across-sites').map((d) => d.location.line)).toEqual([lineOfText(other, 'name: mac-workstation', { after: 'name: office' })]);
  });

  it("give each site's backup server the IAM user whose prefix holds its datastore, when each site has its own user on the bucket", async () => {
    // Least privilege: each site's key may touch its own datastore only.
    const doc = parse(twoSites()) as { aws: { iam: { users: unknown[] } } };
    doc.aws.iam.users = ['home:vm-backup-s3', 'office:office-backup-s3'].map((pair) => {
      const [site, datastore] = pair.split(':');
      return { name: `${site}-backup`, intents: [{ intent: 'backup-writer', bucket: 'iksan-cloud-backup-20251129', prefix: `${datastore}/` }] };
    });
    const text = stringify(doc);
    expect((await lint(text)).filter((d) => d.rule.startsWith('backup/') || d.severity === 'error')).toEqual([]);
    const files = await render(text);
    for (const site of ['home', 'office']) {
      // The key the site's steps create is its own user's.
      expect(files.get(`${site}/pbs/steps.md`)).toContain(`aws iam create-access-key --user-name ${site}-backup\n`);
      // That user's policy is a PBS datastore's: objects under the datastore's prefix, and a ListBucket without an
      // s3:prefix condition, which would deny the HeadBucket (no prefix) that PBS sends on datastore create.
      const store = site === 'home' ? 'vm-backup-s3' : 'office-backup-s3';
      const policy = JSON.parse(files.get(`aws/iam/${site}-backup-policy.json`)!) as { Statement: { Action: string[]; Resource: string[]; Condition?: unknown }[] };
      const list = policy.Statement.find((s) => s.Action.includes('s3:ListBucket'))!;
      expect(list.Condition).toBeUndefined();
      expect(policy.Statement.filter((s) => s.Action.includes('s3:PutObject')).flatMap((s) => s.Resource)).toEqual([`arn:aws:s3:::iksan-cloud-backup-20251129/${store}/*`]);
    }
  });

  it("may each name the other's networks as remote networks: the two ends of a site-to-site link", async () => {
    // The home routes the office's networks over its link, and lets its VPN clients reach the office's management.
    const home = (site: string) => {
      const doc = JSON.parse(site) as { remote_networks?: unknown[]; policy: { rules: unknown[] } };
      doc.remote_networks = [{ name: 'far-mgmt', cidr: '10.20.0.0/24' }, { name: 'far-svc', cidr: '10.21.0.0/24' }];
      doc.policy.rules.unshift({ name: 'vpn-far', from: 'vpn', to: 'far-mgmt', action: 'pass' });
      return JSON.stringify(doc);
    };
    // The office (home's copy) the other way round.
    const office = (site: string) => site.replace('"cidr":"10.20.0.0/24"', '"cidr":"10.0.0.0/24"').replace('"cidr":"10.21.0.0/24"', '"cidr":"10.1.0.0/24"');
    const text = twoSites(office, false, home);
    const found = await lint(text);
    expect(found.filter((d) => d.severity === 'error')).toEqual([]);
    const files = await render(text);
    // Each Proxmox host routes the far site's networks to its own firewall, which holds the link.
    for (const [site, far, firewall] of [['home', '10.20.0.0/24', '10.0.0.1'], ['office', '10.0.0.0/24', '10.20.0.1']] as const) {
      expect(files.get(`${site}/proxmox/pve/interfaces`)).toMatch(new RegExp(`post-up ip route replace ${far.replace(/\./g, '\\.')} via ${firewall.replace(/\./g, '\\.')}\n`));
      expect(files.get(`${site}/opnsense/aliases.xml`)).toContain(`<content>${far}</content>`);
    }
    // The laptop routes the office's management into both tunnels: the home's /24 over the link, the office's /23 as
    // its own. Nested, one of them a remote network: the same network either way, so no wg/allowed-ips-across-sites.
    const allowed = (file: string) => /^AllowedIPs = (.*)$/m.exec(files.get(file)!)![1]!.split(', ');
    expect(allowed('home/wireguard/laptop-john.conf')).toContain('10.20.0.0/24');
    expect(allowed('office/wireguard/laptop-john.conf')).toContain('10.20.0.0/23');
    expect(found.filter((d) => d.rule === 'wg/allowed-ips-across-sites')).toEqual([]);
    // A remote network over its own site's network is still an overlap.
    const own = twoSites(office, false, (site) => home(site).replace('"cidr":"10.20.0.0/24"', '"cidr":"10.0.0.0/24"'));
    expect((await errors(own)).filter((d) => d.rule === 'ip/overlap').map((d) => d.message)).toContainEqual('network far-mgmt (10.0.0.0/24, site home) is the same range as network management (10.0.0.0/24, site home)');
  });

  it("may not keep the first site's WireGuard instance key: two firewalls with one key pair, or one without its private key", async () => {
    // The office as copied: its instance has the home's public key.
    const homeKey = (parse(readExample('homelab')) as { sites: { wireguard: { public_key: string }[] }[] }).sites[0]!.wireguard[0]!.public_key;
    const text = twoSites((office) => office.replace(OFFICE_INSTANCE_KEY, homeKey));
    const found = (await errors(text)).map((d) => [d.rule, d.location.line, d.related?.map((r) => r.location.line), d.hint]);
    expect(found).toEqual([
      [
        'wg/instance-key-across-sites',
        lineOfText(text, `public_key: ${homeKey}`, { after: 'name: office' }),
        [lineOfText(text, `public_key: ${homeKey}`)],
        'Give instance wg0 at site office its own key pair: gen wg keygen --instance wg0 --site office --force, then export its client files again.',
      ],
    ]);
    // As copied, the office's firewall has no private key of its own: gen wg list shows it missing.
    const { topology, secrets } = newCase();
    writeFileSync(topology, text);
    const instanceKey = async () => {
      const list = await gen('wg', 'list', '--site', 'office', '--format', 'json', topology);
      expect(list.code).toBe(0);
      return (JSON.parse(list.stdout) as { instances: { public_key: string; key: { state: string } }[] }).instances[0]!;
    };
    expect(await instanceKey()).toMatchObject({ public_key: homeKey, key: { state: 'missing' } });
    // The fix the hint names runs on the topology with that error, stores the office's own pair, and clears it.
    const keygen = await gen('wg', 'keygen', '--instance', 'wg0', '--site', 'office', '--force', topology);
    expect([keygen.code, keygen.stderr]).toEqual([0, expect.stringContaining(`private key in ${join(secrets, 'office/wireguard/wg0.key')}`)]);
    const fixed = await instanceKey();
    expect(fixed.key.state).toBe('present');
    expect(fixed.public_key).not.toBe(homeKey);
    expect(await gen('lint', topology)).toMatchObject({ code: 0 });
  });

  it('a key three sites share goes one site at a time: each keygen leaves fewer of those errors, and none at the end', async () => {
    const homeKey = (parse(readExample('homelab')) as { sites: { wireguard: { public_key: string }[] }[] }).sites[0]!.wireguard[0]!.public_key;
    const doc = parse(twoSites((office) => office.replace(OFFICE_INSTANCE_KEY, homeKey))) as { sites: { name: string }[] };
    // A third site, cabin: the office's copy with its networks moved again and its datastore named apart.
    const cabin = JSON.parse(JSON.stringify(doc.sites[1]).replace(/"10\.20\./g, '"10.40.').replace(/"10\.21\./g, '"10.41.').replace('"office-backup-s3"', '"cabin-backup-s3"')) as { name: string };
    cabin.name = 'cabin';
    doc.sites.push(cabin);
    const { topology } = newCase();
    writeFileSync(topology, stringify(doc));
    const shared = async () => (await errors(readFileSync(topology, 'utf8'))).filter((d) => d.rule === 'wg/instance-key-across-sites').length;
    expect(await shared()).toBe(2);
    for (const [site, left] of [['office', 1], ['cabin', 0]] as const) {
      const keygen = await gen('wg', 'keygen', '--instance', 'wg0', '--site', site, '--force', topology);
      expect([keygen.code, keygen.stderr]).toEqual([0, expect.stringContaining(`instance wg0: private key in`)]);
      expect(await shared()).toBe(left);
    }
    expect((await errors(readFileSync(topology, 'utf8'))).map((d) => d.rule)).toEqual([]);
  });

  it('warns where one host name is validated by HTTP-01 at both: the CA asks only the site its DNS record points to', async () => {
    // Each site serves www.example.com with an HTTP-01 certificate of its own.
    const http = (site: string) => site.replace('"domain":"*.example.com","challenge":"dns-01","dns_provider":"cloudflare"', '"domain":"www.example.com","challenge":"http-01"');
    const text = twoSites(undefined, false, http);
    // The ACME client of each firewall validates it by HTTP-01.
    const files = await render(text);
    for (const site of ['home', 'office']) expect(/<method>([^<]*)<\/method>/.exec(files.get(`${site}/opnsense/acme.xml`)!)![1], site).toBe('http01');
    // The office's tunnels keep the home's names here (wg/tunnel-name-across-sites), which this test leaves aside.
    const acme = async (t: string) => (await lint(t)).filter((d) => d.rule === 'opnsense/acme-http-01-across-sites' || d.severity === 'error');
    const found = (await acme(text)).map((d) => [d.rule, d.severity, d.location.line, d.related?.map((r) => r.location.line)]);
    expect(found).toEqual([
      ['opnsense/acme-http-01-across-sites', 'warning', lineOfText(text, 'challenge: http-01', { after: 'name: office' }), [lineOfText(text, 'challenge: http-01')]],
    ]);
    // DNS names compare without case: an alternative name of another certificate is the same name.
    const alt = twoSites((office) => office.replace('"domain":"www.example.com"', '"domain":"shop.example.com","alt_names":["WWW.Example.com"]'), false, http);
    expect((await acme(alt)).map((d) => [d.rule, d.message])).toEqual([
      [
        'opnsense/acme-http-01-across-sites',
        "certificate wildcard at site office validates www.example.com by HTTP-01, as certificate wildcard at site home does: the CA asks only the site the name's DNS record points to, so the other's certificate is never issued",
      ],
    ]);
    // DNS-01 at the office (and at both, as twoSites() has it): each proves the name through its DNS provider.
    const dns = twoSites((office) => office.replace('"challenge":"http-01"', '"challenge":"dns-01","dns_provider":"cloudflare"'), false, http);
    expect(await acme(dns)).toEqual([]);
    // Another name at each site: nothing in common.
    expect(await acme(twoSites((office) => office.replace('"domain":"www.example.com"', '"domain":"shop.example.com"'), false, http))).toEqual([]);
  });
});
