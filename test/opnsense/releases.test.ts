// The release tables (src/targets/opnsense/releases/) against the upstream
// model files: each point release's model versions have their field
// table, a bare series is its newest point release, and the field tables
// are what scripts/opnsense-fields.mjs makes of the model files today.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelName } from '../../src/targets/opnsense/field-types.js';
import { SNAPSHOTS } from '../../src/targets/opnsense/fields/index.js';
import { IPV6_TYPE_ADDRESS, PPP_IPV6, RUN_TIME_V4 } from '../../src/targets/opnsense/address-types.js';
import { RELEASE_TABLES, describeReleaseChange, knownReleases, modelFields, releaseFacts } from '../../src/targets/opnsense/releases.js';
import { countArrayCalls, root } from '../helpers.js';
import { loadModels } from './model-check.js';

/** gen's model names and the upstream model classes. */
const CLASSES: Record<ModelName, string> = {
  wireguardGeneral: 'OPNsense.Wireguard.General',
  wireguardServer: 'OPNsense.Wireguard.Server',
  wireguardClient: 'OPNsense.Wireguard.Client',
  alias: 'OPNsense.Firewall.Alias',
  ifgroups: 'OPNsense.Firewall.Group',
  vlans: 'OPNsense.Interfaces.Vlan',
  gateways: 'OPNsense.Routing.Gateways',
  staticroutes: 'OPNsense.Routes.Route',
  dnsmasq: 'OPNsense.Dnsmasq.Dnsmasq',
  haproxy: 'OPNsense.HAProxy.HAProxy',
  acme: 'OPNsense.AcmeClient.AcmeClient',
  filter: 'OPNsense.Firewall.Filter',
  dnat: 'OPNsense.Firewall.DNat',
  cert: 'OPNsense.Trust.Cert',
  cron: 'OPNsense.Cron.Cron',
  unbound: 'OPNsense.Unbound.Unbound',
};

describe('the release tables', () => {
  it('give a bare series the versions of its newest point release, which are those of its model files', () => {
    for (const table of RELEASE_TABLES) {
      const bare = releaseFacts(table.series)!;
      expect(bare.point).toBe(table.newest);
      expect(releaseFacts(`${table.series}.${table.newest}`)!.versions).toEqual(bare.versions);
      const models = loadModels(table.series);
      for (const [model, className] of Object.entries(CLASSES) as [ModelName, string][]) {
        expect(bare.versions[model], `${table.series} ${model}`).toBe(models.find((m) => m.className === className)?.version);
      }
    }
  });

  it('have a field table for every model version of every point release', () => {
    for (const table of RELEASE_TABLES) {
      for (let point = 0; point <= table.newest; point++) {
        const release = releaseFacts(`${table.series}.${point}`)!;
        for (const [model, version] of Object.entries(release.versions) as [ModelName, string][]) {
          expect(release.fields(model)?.version, `${table.series}.${point} ${model}`).toBe(version);
        }
      }
    }
  });

  it('know no other release, and say which they know', () => {
    for (const unknown of ['24.7', '25.1', '26.4', '26.7.3', '26', 'latest']) expect(releaseFacts(unknown), unknown).toBeUndefined();
    expect(knownReleases()).toBe('25.7 (25.7.0-25.7.11), 26.1 (26.1.0-26.1.11), 26.7 (26.7.0-26.7.2)');
  });

  it('say in words what moving from 25.7 to 26.7 changes', () => {
    const words = describeReleaseChange(releaseFacts('25.7')!, releaseFacts('26.7')!);
    expect(words).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^the policy as MVC filter rules .* instead of the policy as legacy filter rules/),
        expect.stringMatching(/^port forwards as Destination NAT rules/),
        expect.stringMatching(/^HAProxy redirects as http-request actions/),
        'static routes model 1.0.0 → 1.0.1 (+route.enabled, -route.disabled)',
        'dnsmasq model 1.0.8 → 1.0.9 (+dhcp.host_ping)',
        expect.stringMatching(/^HAProxy model 4\.1\.0 → 5\.0\.0/),
        expect.stringMatching(/^ACME client model 4\.3\.0 → 4\.4\.0/),
        // 25.7 writes no MVC filter model at all: it is new, not an upgrade of one gen wrote.
        'firewall rules (MVC) model 1.0.5 written',
      ]),
    );
    expect(words.filter((w) => w.startsWith('firewall rules (MVC) model 1.0.4'))).toEqual([]);
    expect(describeReleaseChange(releaseFacts('26.7')!, releaseFacts('25.7')!)).toContain('firewall rules (MVC) model 1.0.5 no longer written');
    expect(describeReleaseChange(releaseFacts('26.7')!, releaseFacts('26.7.0')!)).toEqual([]);
  });
});

// What each point release's dnsmasq.conf template hands out as IPv6 DNS server by default, read at its tag.
const coreGit = process.env.OPNSENSE_CORE_GIT;
const whyCore = coreGit ? undefined : 'OPNSENSE_CORE_GIT is not set';
describe.skipIf(whyCore)(`the release tables against dnsmasq.conf${whyCore ? ` (skipped: ${whyCore})` : ''}`, () => {
  it('say the firewall is the IPv6 DNS server exactly where the template writes option6:23,[::] unless a DHCPv6 option 23 of no interface and no tag is set', () => {
    const seen: Record<string, [boolean, boolean]> = {};
    for (const table of RELEASE_TABLES) {
      for (let point = 0; point <= table.newest; point++) {
        const tag = point === 0 ? table.series : `${table.series}.${point}`;
        const r = spawnSync('git', ['--git-dir', coreGit!, 'show', `${tag}:src/opnsense/service/templates/OPNsense/Dnsmasq/dnsmasq.conf`], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        // The line, and the test that leaves it out: set only by an option of type set with option6 23, no tag, no interface.
        const line = /^\{% if not has_default_v6 %\}\n(?:#.*\n)?dhcp-option=option6:23,\[::\]$/m.test(r.stdout);
        const guard = r.stdout.includes("{%     if not option.tag and not option.interface and option.option6 == '23' %}\n{%         do has_default_v6.append(1) %}");
        seen[tag] = [releaseFacts(tag)!.dnsmasqFirewallDns6, line && guard];
      }
    }
    for (const [tag, [fact, template]] of Object.entries(seen)) expect(fact, tag).toBe(template);
    expect(Object.values(seen).filter(([fact]) => fact).length).toBe(15);
  });
});

// Where each point release's interface_configure() (interfaces.inc) reads whether IPv6 is on, and the IPv6 types it has
// a case for (ipv6-allowed.ts, dnsmasq-unaddressed.ts), read at its tag.
describe.skipIf(whyCore)(`the release tables against interfaces.inc${whyCore ? ` (skipped: ${whyCore})` : ''}`, () => {
  const show = (tag: string, path: string) => {
    const r = spawnSync('git', ['--git-dir', coreGit!, 'show', `${tag}:${path}`], { encoding: 'utf8' });
    expect(r.status, `${tag} ${path}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  it("name the IPv6 switch and the types of interface_configure()'s IPv6 cases at every point release", () => {
    const seen = new Set<string>();
    for (const table of RELEASE_TABLES) {
      for (let point = 0; point <= table.newest; point++) {
        const tag = point === 0 ? table.series : `${table.series}.${point}`;
        // The bare series is its newest point release; its tag is the first.
        const release = releaseFacts(`${table.series}.${point}`)!;
        const inc = show(tag, 'src/etc/inc/interfaces.inc');
        const configure = inc.slice(inc.indexOf('function interface_configure('), inc.indexOf('\n}\n', inc.indexOf('function interface_configure(')));
        const head = /switch \((isset\(\$config\['system'\]\['ipv6allow'\]\)|is_ipv6_allowed\(\)) \? \(\$wancfg\['ipaddrv6'\] \?\? 'none'\) : 'none'\) \{/.exec(configure);
        expect(head, tag).not.toBeNull();
        const body = configure.slice(head!.index, configure.indexOf('default:', head!.index));
        const cases = [...body.matchAll(/case '([^']+)':/g)].map((m) => m[1]);
        expect([...cases].sort(), tag).toEqual([...release.ipv6Types].sort());
        // What each case does (address-types.ts): 6rd and 6to4 set up their tunnel (the _stf device), linklocal only
        // brings the device up, slaac and dhcp6 take router advertisements and run dhcp6c, track6 and idassoc6 take a
        // prefix on the device.
        for (const type of cases) {
          const code = body.slice(body.indexOf(`case '${type}':`), body.indexOf('break;', body.indexOf(`case '${type}':`)));
          const does = { stf: `interface_${type}_configure(`, 'link-local': '-ifdisabled up', 'from-link-local': /inet6 accept_rtadv -ifdisabled up[^]*interface_dhcpv6_configure\(/, device: /interface_track6_configure\(/ }[IPV6_TYPE_ADDRESS.get(type!)!];
          expect(code, `${tag} ${type}`).toMatch(does);
          if (IPV6_TYPE_ADDRESS.get(type!) === 'link-local') expect(code, `${tag} ${type}`).not.toMatch(/_configure\(/);
        }
        // The default case: interface_static6_configure(), which takes only an address with a prefix length.
        expect(configure.slice(configure.indexOf('default:', head!.index), configure.indexOf('default:', head!.index) + 150), tag).toContain('interface_static6_configure($interface, $wancfg);');
        expect(inc, tag).toMatch(/function interface_static6_configure\(\$interface, \$wancfg\)\s*\{\s*if \(empty\(\$wancfg\['ipaddrv6'\]\) \|\| !is_ipaddrv6\(\$wancfg\['ipaddrv6'\]\) \|\| \$wancfg\['subnetv6'\] == ''\) \{\s*return;/);
        expect(inc, tag).toMatch(/function interface_static_configure\(\$interface, \$wancfg\)\s*\{\s*if \(empty\(\$wancfg\['ipaddr'\]\) \|\| !is_ipaddrv4\(\$wancfg\['ipaddr'\]\) \|\| \$wancfg\['subnet'\] == ''\) \{\s*return;/);
        if (head![1]!.startsWith('isset')) expect(release.ipv6Switch, tag).toBe('ipv6allow');
        else {
          expect(release.ipv6Switch, tag).toBe('disableipv6');
          expect(show(tag, 'src/etc/inc/util.inc')).toMatch(/function is_ipv6_allowed\(\)\s*\{\s*global \$config;\s*(?:\/\*.*\*\/\s*)?return empty\(\$config\['OPNsense'\]\['Interfaces'\]\['settings'\]\['disableipv6'\]\);/);
          // The model's first migration sets disableipv6 where <system><ipv6allow> is absent.
          const migration = show(tag, 'src/opnsense/mvc/app/models/OPNsense/Interfaces/Migrations/SET1_0_0.php');
          expect(migration).toMatch(/if \(\$key == 'ipv6allow'\) \{\s*\$_key = 'disableipv6';\s*if \(!isset\(\$config->system->\$key\)\) \{\s*\$nodes\[\$_key\] = '1';/);
        }
        // The IPv4 run-time types (address-types.ts): interface_configure()'s cases of <ipaddr>, and the PPP types
        // interface_ppps_configure() runs mpd5's IPv4 for; pppoev6 among the IPv6 types it runs mpd5's IPv6 for, not
        // behind the IPv6 switch.
        const casesOf = (code: string, head: RegExp) => {
          const at = code.search(head);
          expect(at, `${tag} ${head}`).toBeGreaterThanOrEqual(0);
          const from = code.indexOf('{', at);
          return [...code.slice(from, code.indexOf('default:', from)).matchAll(/case '([^']+)':/g)].map((m) => m[1]!);
        };
        const ppps = inc.slice(inc.indexOf('function interface_ppps_configure('), inc.indexOf('\n}\n', inc.indexOf('function interface_ppps_configure(')));
        const ipv4 = [...casesOf(configure, /switch \(\$wancfg\['ipaddr'\] \?\? 'none'\)/), ...casesOf(ppps, /switch \(\$ifcfg\['ipaddr'\] \?\? 'none'\)/)];
        expect(ipv4.sort(), tag).toEqual([...RUN_TIME_V4].sort());
        expect(casesOf(ppps, /switch \(\$ifcfg\['ipaddrv6'\] \?\? 'none'\)/), tag).toContain(PPP_IPV6);
        seen.add(`${release.ipv6Switch} ${release.ipv6Types.length}`);
      }
    }
    expect([...seen].sort()).toEqual(['disableipv6 7', 'ipv6allow 5', 'ipv6allow 6']);
    // Each type any release has says what its case gives the interface (address-types.ts), and no other.
    expect([...IPV6_TYPE_ADDRESS.keys()].sort()).toEqual([...new Set(RELEASE_TABLES.flatMap((t) => t.ranges.flatMap((r) => r.ipv6Types ?? [])))].sort());
  });

  // Where the IPv6 types put their address (address-types.ts, ipv6-allowed.ts): only _interfaces_bridge_configure()
  // sets auto_linklocal, so a bridge without "Enable link-local address" keeps none, whatever its interface's type;
  // track6 and idassoc6 get theirs without it (a prefix-interface of the tracked interface's dhcp6c, or ifconfig of a
  // static address from a 6rd or 6to4 prefix); 6rd's and 6to4's is on <key>_stf, which get_real_interface() names for
  // inet6 and interfaces_addresses(), the web GUI's listeners, reads beside the device, while dnsmasq's template names
  // only the interface's <if>.
  it('show where each IPv6 type puts its address, at every point release', () => {
    const fnOf = (code: string, name: string) => {
      const at = code.indexOf(`function ${name}(`);
      expect(at, name).toBeGreaterThanOrEqual(0);
      return code.slice(at, code.indexOf('\n}\n', at));
    };
    const tags = RELEASE_TABLES.flatMap((table) => Array.from({ length: table.newest + 1 }, (_, point) => (point === 0 ? table.series : `${table.series}.${point}`)));
    expect(tags.length).toBeGreaterThanOrEqual(27);
    // One search of every tag: lines "<tag>:<path>:<line>:<text>".
    const grep = spawnSync('git', ['--git-dir', coreGit!, 'grep', '-n', 'auto_linklocal', ...tags, '--', 'src'], { encoding: 'utf8' });
    expect(grep.status, grep.stderr).toBe(0);
    for (const tag of tags) {
      const inc = show(tag, 'src/etc/inc/interfaces.inc');
      // Outside comments, the word is in interfaces.inc only, and there only in _interfaces_bridge_configure().
      const code = grep.stdout.split('\n').filter((l) => l.startsWith(`${tag}:`) && !/^[^:]+:[^:]+:\d+:\s*\*/.test(l));
      expect(code.map((l) => l.split(':')[1]), tag).toEqual(['src/etc/inc/interfaces.inc', 'src/etc/inc/interfaces.inc']);
      const bridge = fnOf(inc, '_interfaces_bridge_configure');
      for (const line of code) expect(bridge, tag).toContain(line.split(':').slice(3).join(':').trim());
      expect(bridge, tag).toMatch(/ifconfig %s inet6 %sauto_linklocal', \[\$bridgeif, !empty\(\$bridge\['linklocal'\]\) \? '' : '-'\]/);
      // track6: the tracked dhcp6c's prefix-interface, or ifconfig of the device with a 6rd or 6to4 address.
      expect(inc, tag).toContain('prefix-interface {$trackifv6} {');
      for (const name of ['interface_track6_6rd_configure', 'interface_track6_6to4_configure']) {
        expect(fnOf(inc, name), `${tag} ${name}`).toMatch(/ifconfig (%s|\{\$lanif\}) inet6 (%s|\{\$(rd6lan|sixto4lan)\}) prefixlen 64/);
      }
      // 6rd and 6to4: <key>_stf for inet6 (util.inc from 25.7.3, interfaces.inc before), read by interfaces_addresses().
      const real = [inc, show(tag, 'src/etc/inc/util.inc')].map((f) => (f.includes('function get_real_interface(') ? fnOf(f, 'get_real_interface') : '')).join('');
      expect(real, tag).toMatch(/case '6rd':\s*case '6to4':\s*\$(realif|realif\[1\]|devices\[1\]) = "\{\$interface\}_stf";/);
      expect(fnOf(inc, 'interfaces_addresses'), tag).toMatch(/foreach \(\['all', 'inet6'\] as \$family\) \{\s*\$tmpif = get_real_interface\(\$interface, \$family\);/);
      expect(fnOf(show(tag, 'src/etc/inc/plugins.inc.d/webgui.inc'), 'webgui_configure_do'), tag).toContain('foreach (interfaces_addresses($interfaces) as $tmpaddr => $info) {');
      const template = show(tag, 'src/opnsense/service/templates/OPNsense/Dnsmasq/dnsmasq.conf');
      expect(template, tag).toContain("interface={{helpers.physical_interfaces(dnsmasq.interface.split(','))|join(',')}}");
      expect(template, tag).toContain('constructor:{{helpers.physical_interface(dhcp_range.constructor)}},');
      const helpers = show(tag, 'src/opnsense/service/modules/addons/template_helpers.py');
      expect(helpers, tag).toMatch(/def physical_interface\(self, name\):[^]*?return self\.getNodeByTag\('interfaces\.'\+name\+'\.if'\) or name/);
      expect(helpers, tag).toMatch(/def physical_interfaces\(self, names\):[^]*?result\.append\(self\.getNodeByTag\('interfaces\.'\+name\+'\.if'\)\)/);
    }
  });
});

// The HAProxy series os-haproxy installs at each point release, read from the plugin at its tag: the port its
// Makefile's PLUGIN_DEPENDS names (haproxy30, haproxy32; net/haproxy is the series its pkg-descr upgraded to).
const pluginsGit = process.env.OPNSENSE_PLUGINS_GIT;
const whyPlugins = pluginsGit ? undefined : 'OPNSENSE_PLUGINS_GIT is not set';
describe.skipIf(whyPlugins)(`the release tables against os-haproxy${whyPlugins ? ` (skipped: ${whyPlugins})` : ''}`, () => {
  it("name the HAProxy series the plugin's PLUGIN_DEPENDS installs at every point release", () => {
    const show = (tag: string, path: string) => {
      const r = spawnSync('git', ['--git-dir', pluginsGit!, 'show', `${tag}:net/haproxy/${path}`], { encoding: 'utf8' });
      expect(r.status, `${tag} ${path}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const seen: Record<string, string> = {};
    for (const table of RELEASE_TABLES) {
      for (let point = 0; point <= table.newest; point++) {
        const tag = point === 0 ? table.series : `${table.series}.${point}`;
        const depends = /^PLUGIN_DEPENDS=\s+(haproxy\S*)\s/m.exec(show(tag, 'Makefile'))?.[1];
        const upgraded = /upgrade to HAProxy (\d+\.\d+) release series/.exec(show(tag, 'pkg-descr'))?.[1];
        const port = /^haproxy(\d)(\d+)$/.exec(depends ?? '');
        const installed = port ? `${port[1]}.${port[2]}` : depends === 'haproxy' ? upgraded : undefined;
        expect(installed, tag).toBeDefined();
        // A versioned port is the series the plugin was last upgraded to.
        expect(installed, tag).toBe(upgraded);
        expect(releaseFacts(`${table.series}.${point}`)!.haproxy, tag).toBe(installed);
        seen[tag] = installed!;
      }
    }
    expect([seen['25.7.11'], seen['26.1.1'], seen['26.1.2'], seen['26.7.2']]).toEqual(['3.0', '3.0', '3.2', '3.2']);
  });
});

describe('field table lookups', () => {
  it("find each model's table once per release, however many items ask", () => {
    const release = releaseFacts('26.1.6')!;
    const first = release.fields('filter');
    expect(first?.version).toBe(release.versions.filter);
    const found = new Set<unknown>();
    // 1,000 items of one model: no search of the snapshots after the first.
    const { calls } = countArrayCalls(['filter', 'map', 'find'], () => {
      for (let i = 0; i < 1000; i++) found.add(release.fields('filter'));
    });
    expect(calls).toBe(0);
    expect([...found]).toEqual([first]);
  });

  // A lint reads two tables (acme, cron) of its firewall's release: making all 29 was a tenth of its start.
  it('make no table when loaded, and read only the table a release asks for', () => {
    const fields = SNAPSHOTS.flatMap((s) => Object.keys(s.fields).map((model) => ({ set: s.fields, model, descriptor: Object.getOwnPropertyDescriptor(s.fields, model)! })));
    expect(fields.length).toBeGreaterThan(20);
    // Every table is behind a getter: none was made by loading the index.
    expect(fields.filter((f) => f.descriptor.get === undefined).map((f) => f.model)).toEqual([]);
    let reads = 0;
    for (const f of fields) {
      Object.defineProperty(f.set, f.model, {
        configurable: true,
        enumerable: true,
        get: () => {
          reads++;
          return f.descriptor.get ? f.descriptor.get.call(f.set) : f.descriptor.value;
        },
      });
    }
    try {
      // 26.1.6 has the ACME client of its own point release; 26.1 and 25.7 have others.
      const table = modelFields('acme', '4.3.1', '26.1');
      expect(table?.version).toBe('4.3.1');
      expect(reads).toBe(1);
    } finally {
      for (const f of fields) Object.defineProperty(f.set, f.model, f.descriptor);
    }
    // A snapshot's versions are its tables' own, and a table is made once.
    for (const s of SNAPSHOTS) {
      for (const [model, version] of Object.entries(s.versions) as [ModelName, string][]) {
        const table = s.fields[model];
        expect(table?.version, `${s.name} ${model}`).toBe(version);
        expect(s.fields[model], `${s.name} ${model}`).toBe(table);
      }
    }
  });
});

describe('the field tables', () => {
  it('are what scripts/opnsense-fields.mjs makes of the model files (regenerate with node scripts/opnsense-fields.mjs)', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/opnsense-fields.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
