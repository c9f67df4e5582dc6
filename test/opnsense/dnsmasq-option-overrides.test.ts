// A box's own DHCP option after gen's of the same number, on tags a Host or a DHCP match sets: dnsmasq sends the later
// line to the clients that carry them (dhcp-common.c option_filter()), as a real DHCP exchange with dnsmasq shows.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dnsmasqOptionOverrides } from '../../src/opnsense/dnsmasq-option-overrides.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { missing, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

const GEN = 'aaaaaaaa-0000-4000-8000-000000000006';
const BOX = 'bbbbbbbb-0000-4000-8000-000000000006';
const TAG = '11112222-3333-4444-5555-666677778888';
const MAC = '52:54:00:00:00:09';
const genOption = `<dhcp_options uuid="${GEN}"><type>set</type><option>6</option><option6/><interface>opt2</interface><tag/><set_tag/><value>1.1.1.1,9.9.9.9</value><force>0</force></dhcp_options>`;
const boxOption = (extra: { interface?: string; tag?: string; option?: string } = {}) =>
  `<dhcp_options uuid="${BOX}"><type>set</type><option>${extra.option ?? '6'}</option><option6/><interface>${extra.interface ?? ''}</interface><tag>${extra.tag ?? TAG}</tag><set_tag/><value>8.8.8.8</value><force>0</force></dhcp_options>`;
const host = (setTag = TAG, ip = '10.1.0.150') => `<hosts uuid="cccccccc-0000-4000-8000-000000000009"><host>printer</host><ip>${ip}</ip><hwaddr>${MAC}</hwaddr><set_tag>${setTag}</set_tag><descr/></hosts>`;
const range = (setTag = '') => `<dhcp_ranges uuid="dddddddd-0000-4000-8000-000000000001"><interface>opt2</interface><set_tag>${setTag}</set_tag><start_addr>10.1.0.100</start_addr><end_addr>10.1.0.200</end_addr></dhcp_ranges>`;
const box = (items: string) =>
  parseXml(
    `<?xml version="1.0"?>\n<opnsense><interfaces><opt2><if>vtnet1</if><enable>1</enable><ipaddr>10.1.0.1</ipaddr><subnet>24</subnet></opt2><opt3><if>vtnet2</if><enable>1</enable></opt3></interfaces>` +
      `<dnsmasq><enable>1</enable><port>0</port><interface>opt2,opt3</interface><dhcp_tags uuid="${TAG}"><tag>printers</tag></dhcp_tags>${items}</dnsmasq></opnsense>\n`,
  ).root;
const warned = (items: string) => dnsmasqOptionOverrides(box(items), (uuid) => uuid === GEN);

const genLine = 'dhcp-option=tag:vtnet1,6,1.1.1.1,9.9.9.9';
const boxLine = 'dhcp-option=tag:11112222333344445555666677778888,6,8.8.8.8';

describe('dnsmasqOptionOverrides', () => {
  it("names the box's tagged option after gen's, both lines, what the tagged clients get and the fix", () => {
    expect(warned(range() + host() + genOption + boxOption())).toEqual([
      `the box's DHCP option ${BOX} (${boxLine}) comes after gen's option 6 of opt2 (${genLine}) in dnsmasq.conf, ` +
        'and of two lines of one option whose tags a request carries dnsmasq sends the later: the clients on vtnet1 that carry the tag printers (set by Host printer) get 8.8.8.8, not gen\'s 1.1.1.1,9.9.9.9; ' +
        "if they should get gen's, remove the box's option or give it another interface in Services › Dnsmasq DNS & DHCP › DHCP options and export a new backup",
    ]);
    // Of gen's interface's device too; a DHCP match's tag is the request's as a Host's is.
    expect(warned(range() + host() + genOption + boxOption({ interface: 'opt2' }))).toHaveLength(1);
    const match = `<dhcp_options uuid="eeeeeeee-0000-4000-8000-000000000001"><type>match</type><option>60</option><option6/><interface/><tag/><set_tag>${TAG}</set_tag><value>PXEClient</value></dhcp_options>`;
    expect(warned(range() + match + genOption + boxOption())).toEqual([expect.stringContaining('carry the tag printers (set by a DHCP match on option 60) get 8.8.8.8')]);
    // A Host of no address has its line taken on every link.
    expect(warned(range() + host(TAG, '') + genOption + boxOption())).toEqual([expect.stringContaining('(set by Host printer) get 8.8.8.8')]);
  });

  it("leaves an option gen's line wins over or that never meets it", () => {
    // Before gen's: gen's is the later line.
    expect(warned(range() + host() + boxOption() + genOption)).toEqual([]);
    // Untagged: a tagged line that counts beats it.
    expect(warned(range() + host() + genOption + boxOption({ tag: '' }))).toEqual([]);
    // A tag only a range sets is a context tag, weighed only where no tagged line counts.
    expect(warned(range(TAG) + host('') + genOption + boxOption())).toEqual([]);
    // A Host whose line dnsmasq takes on another link only: its address is outside gen's interface's network, or IPv6 alone.
    expect(warned(range() + host(TAG, '10.2.0.150') + genOption + boxOption())).toEqual([]);
    expect(warned(range() + host(TAG, 'fd00::150') + genOption + boxOption())).toEqual([]);
    // Another interface's device, another option number.
    expect(warned(range() + host() + genOption + boxOption({ interface: 'opt3' }))).toEqual([]);
    expect(warned(range() + host() + genOption + boxOption({ option: '42' }))).toEqual([]);
  });

  // A request carries the set tag of its client's one dhcp-host line, and those of the DHCP matches it matches.
  it('weighs an option of two tags by whether one request carries both', () => {
    const OTHER = '99998888-7777-4666-8555-444433332222';
    const tags = `<dhcp_tags uuid="${OTHER}"><tag>uefi</tag></dhcp_tags>`;
    const otherHost = `<hosts uuid="cccccccc-0000-4000-8000-00000000000a"><host>scanner</host><ip>10.1.0.151</ip><hwaddr>52:54:00:00:00:0a</hwaddr><set_tag>${OTHER}</set_tag><descr/></hosts>`;
    const match = `<dhcp_options uuid="eeeeeeee-0000-4000-8000-000000000002"><type>match</type><option>93</option><option6/><interface/><tag/><set_tag>${OTHER}</set_tag><value>7</value></dhcp_options>`;
    const both = boxOption({ tag: `${TAG},${OTHER}` });
    // Each tag set by another Host: no client's request carries both.
    expect(warned(tags + range() + host() + otherHost + genOption + both)).toEqual([]);
    // One set by a DHCP match: the printer's request that matches it carries both.
    expect(warned(tags + range() + host() + match + genOption + both)).toEqual([
      expect.stringContaining('carry the tag printers (set by Host printer) and the tag uefi (set by a DHCP match on option 93) get 8.8.8.8'),
    ]);
    expect(warned(tags + range() + host() + otherHost + match + genOption + both)).toHaveLength(1);
  });

  // The lines as the warning names them, in its order, served by dnsmasq itself on a veth named as the box's device.
  const why = missing(['dnsmasq', 'unshare', 'ip', 'busybox']);
  removeTempDirsAfterAll();
  it.skipIf(why)(titled("a real DHCP exchange: the client of the tagged Host gets the later line's servers", why), () => {
    const exchange = (lines: string[]) => {
      const work = tempDir('gen-dhcp-options-');
      const out = join(work, 'bound');
      writeFileSync(join(work, 'dnsmasq.conf'), ['port=0', 'interface=vtnet1', 'dhcp-range=10.1.0.100,10.1.0.200,3600', `dhcp-host=${MAC},set:${TAG.replaceAll('-', '')},10.1.0.150`, ...lines, ''].join('\n'));
      writeFileSync(join(work, 'bound.sh'), `#!/bin/sh\n[ "$1" = bound ] && echo "$dns" > '${out}'\nexit 0\n`, { mode: 0o755 });
      const script = [
        'ip link set lo up',
        'ip link add vtnet1 type veth peer name client0',
        `ip link set client0 address ${MAC}`,
        'ip addr add 10.1.0.1/24 dev vtnet1',
        'ip link set vtnet1 up && ip link set client0 up',
        `dnsmasq --keep-in-foreground --conf-file='${work}/dnsmasq.conf' --pid-file='${work}/pid' --dhcp-leasefile='${work}/leases' --log-facility='${work}/log' & server=$!`,
        // udhcpc retries its discover until dnsmasq, starting beside it, answers.
        `busybox udhcpc -i client0 -q -n -f -t 10 -T 1 -s '${work}/bound.sh'; rc=$?`,
        'kill $server; exit $rc',
      ].join('\n');
      const run = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      return readFileSync(out, 'utf8').trim().split(/\s+/);
    };
    const [said] = warned(range() + host() + genOption + boxOption());
    const [, theirs, ours] = /^the box's DHCP option \S+ \((.*?)\) comes after gen's option 6 of opt2 \((.*?)\)/.exec(said!)!;
    expect(exchange([ours!, theirs!])).toEqual(['8.8.8.8']);
    // The other order, of which nothing is said: gen's servers.
    expect(warned(range() + host() + boxOption() + genOption)).toEqual([]);
    expect(exchange([theirs!, ours!])).toEqual(['1.1.1.1', '9.9.9.9']);
    // A later line that also needs a tag another Host sets, of which nothing is said: the client's request lacks it.
    const OTHER = '99998888-7777-4666-8555-444433332222';
    const otherHost = `<hosts uuid="cccccccc-0000-4000-8000-00000000000a"><host>scanner</host><ip>10.1.0.151</ip><hwaddr>52:54:00:00:00:0a</hwaddr><set_tag>${OTHER}</set_tag><descr/></hosts>`;
    expect(warned(range() + host() + otherHost + genOption + boxOption({ tag: `${TAG},${OTHER}` }))).toEqual([]);
    const twoTags = theirs!.replace('tag:', `tag:${OTHER.replaceAll('-', '')},tag:`);
    expect(twoTags).not.toBe(theirs);
    expect(exchange([ours!, `dhcp-host=52:54:00:00:00:0a,set:${OTHER.replaceAll('-', '')},10.1.0.151`, twoTags])).toEqual(['1.1.1.1', '9.9.9.9']);
  });
});
