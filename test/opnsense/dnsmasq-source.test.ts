// What dnsmasq does with a query whose closest domain is both local
// (local=/<domain>/) and forwarded (server=/<domain>/<ip>), read from its
// source at each version an OPNsense release gen knows installs (releases/:
// dnsmasq) and at Debian's 2.90, which the real-tool tests run:
// answersLocalBeforeServers() must say what the code there does. Both kinds of
// line are entries of one sorted array (domain-match.c): order_qsort() sorts
// the entries of one domain by their flags, and filter_servers() gives a query
// the first run of them, the no-data entry of local= or the servers. Reads a
// git directory of dnsmasq with its version tags (DNSMASQ_GIT).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answersLocalBeforeServers } from '../../src/opnsense/dnsmasq-answer.js';
import { ADVERTISING_RA_MODES } from '../../src/opnsense/dnsmasq-firewall-dns.js';
import { type OptionKind, optionKinds } from '../../src/opnsense/dnsmasq-option-table.js';
import { dnsmasqAtLeast } from '../../src/opnsense/dnsmasq-version.js';
import { DNSMASQ_VERSIONS } from './dnsmasq-binaries.js';

const gitDir = process.env.DNSMASQ_GIT;
const mirror = gitDir && existsSync(gitDir) ? gitDir : undefined;
const tags = mirror ? new Set(spawnSync('git', ['--git-dir', mirror, 'tag', '--list', 'v2.*'], { encoding: 'utf8' }).stdout.split('\n')) : new Set<string>();

/** The dnsmasq versions the releases install, and Debian's. */
const VERSIONS = DNSMASQ_VERSIONS;

function show(tag: string, path: string): string {
  const r = spawnSync('git', ['--git-dir', mirror!, 'show', `${tag}:${path}`], { encoding: 'utf8', maxBuffer: 16 << 20 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The body of the C function `name` (from its definition, not its prototype, to the closing brace in column 0). */
function body(source: string, name: string): string {
  const start = source.search(new RegExp(`^(?:static )?int ${name}\\([^;{]*\\)\\s*\\{`, 'm'));
  expect(start, name).toBeGreaterThanOrEqual(0);
  return source.slice(start, source.indexOf('\n}', start));
}

/** Whether dnsmasq at `tag` answers such a query itself, as its code decides. */
function answersItself(tag: string): boolean {
  const header = show(tag, 'src/dnsmasq.h');
  const flag = (name: string) => Number(new RegExp(`^#define ${name}\\s+(\\d+)`, 'm').exec(header)![1]);
  const [literal, resolv] = [flag('SERV_LITERAL_ADDRESS'), flag('SERV_USE_RESOLV')];
  const source = show(tag, 'src/domain-match.c');
  // order_qsort(): rc = key(s2) - key(s1), the key the masked flags, with the literal bit flipped in the older form.
  const sort = body(source, 'order_qsort');
  const flipped = /rc = \(\(s2->flags & \([^)]*\)\) \^ SERV_LITERAL_ADDRESS\) -/.test(sort);
  const plain = /rc = \(\(s2->flags & \([^)]*\)\)\) -/.test(sort);
  expect([flipped, plain], `${tag}: order_qsort() is in neither known form`).toContain(true);
  const key = (flags: number) => (flipped ? flags ^ literal : flags);
  // A local= entry has the literal flag alone, a server= of the domain none of these flags; the higher key sorts first.
  expect(key(resolv)).not.toBe(key(literal));
  const localSortsFirst = key(literal) > key(0);
  // filter_servers(), past the address entries: the newer form returns the run of literal (no-data) entries to a query
  // that wants no server, the older one skips them for the servers after it.
  const filter = body(source, 'filter_servers');
  const takesLiteralRun = /flags & SERV_LITERAL_ADDRESS\); i\+\+\);\s*if \(!\(flags & \(F_DOMAINSRV \| F_SERVER\)\) && i != nlow\)\s*nhigh = i;/.test(filter);
  const takesServerRun = /!\(daemon->serverarray\[i\]->flags & SERV_LITERAL_ADDRESS\); i\+\+\);\s*if \(i != nlow\)/.test(filter);
  expect([takesLiteralRun, takesServerRun], `${tag}: filter_servers() is in neither known form`).toContain(true);
  return localSortsFirst && takesLiteralRun;
}

describe.skipIf(!mirror)(`dnsmasq's own code on a domain both local and forwarded${mirror ? '' : ' (skipped: DNSMASQ_GIT is not set)'}`, () => {
  for (const version of VERSIONS) {
    const tag = `v${version}`;
    const absent = !tags.has(tag);
    it.skipIf(absent)(`${version}: answersLocalBeforeServers() says what its code does${absent ? ` (skipped: the dnsmasq git directory has no tag ${tag})` : ''}`, () => {
      expect(answersItself(tag)).toBe(answersLocalBeforeServers(version));
    });
  }

  // The change itself: the commit that sorts the no-data entry before the servers is in 2.92 and not in 2.91.
  it('the change is commit e86d53c, first released in 2.92', () => {
    const contains = spawnSync('git', ['--git-dir', mirror!, 'tag', '--contains', 'e86d53c438571e24d0491d03d553f48a262def91'], { encoding: 'utf8' });
    expect(contains.status, contains.stderr).toBe(0);
    const released = contains.stdout.split('\n').filter((t) => /^v\d+\.\d+$/.test(t));
    expect(released).toContain('v2.92');
    expect(released).not.toContain('v2.91');
    expect([answersItself('v2.91'), answersItself('v2.92')]).toEqual([false, true]);
  });
});

// What firewallDnsRanges() takes from dnsmasq, read from its code at each version the releases install: a request
// carries the tag of the interface it arrives on, whatever its range; option_filter() ranks a request's own tags
// before its range's and those before untagged lines; 0.0.0.0 ([::]) in an option's addresses is dnsmasq's own; and
// a router advertisement's RDNSS is chosen for the link's tags, to which only advertised ranges add theirs.
describe.skipIf(!mirror)(`dnsmasq's own code on the DNS server a range's clients get${mirror ? '' : ' (skipped: DNSMASQ_GIT is not set)'}`, () => {
  for (const version of VERSIONS) {
    const tag = `v${version}`;
    const absent = !tags.has(tag);
    it.skipIf(absent)(`${version}: the tags, the lines' ranks, the firewall's addresses and the RA modes firewallDnsRanges() reads${absent ? ` (skipped: the dnsmasq git directory has no tag ${tag})` : ''}`, () => {
      const [rfc2131, rfc3315, radv, option, common] = [show(tag, 'src/rfc2131.c'), show(tag, 'src/rfc3315.c'), show(tag, 'src/radv.c'), show(tag, 'src/option.c'), show(tag, 'src/dhcp-common.c')];
      // The interface's name is a tag of every DHCPv4 and DHCPv6 request.
      expect(rfc2131).toMatch(/set tag with name == interface \*\/\s*iface_id\.net = iface_name;\s*iface_id\.next = NULL;\s*netid = &iface_id;/);
      expect(rfc3315).toMatch(/set tag with name == interface \*\/\s*iface_id\.net = state->iface_name;\s*iface_id\.next = state->tags;\s*state->tags = &iface_id;/);
      // The range's tag goes in as the context tags, of lower rank, and the untagged lines come last.
      expect(rfc2131).toMatch(/option_filter\(netid, context && context->netid\.net \? &context->netid : NULL, config_opts/);
      expect(rfc3315).toMatch(/option_filter\(state->tags, state->context_tags, daemon->dhcp_opts6/);
      const filter = common.slice(common.indexOf('struct dhcp_netid *option_filter('), common.indexOf('\n}', common.indexOf('struct dhcp_netid *option_filter(')));
      const phases = ['valid with the current tag set (sans context tags)', 'valid, including the context tags', 'untagged options which are not overridden by tagged ones', 'eliminate duplicate options later in the chain'];
      const at = phases.map((p) => filter.indexOf(p));
      expect(at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1]!)), at.join()).toBe(true);
      // Later lines of the file come first in the chain: each option is put at its head.
      expect(option).toMatch(/new->next = daemon->dhcp_opts6;\s*daemon->dhcp_opts6 = new;/);
      // 0.0.0.0 is the firewall's own address; so are ::, fd00:: and fe80:: in DHCPv6 and in the RDNSS.
      expect(rfc2131).toMatch(/if \(a->s_addr == 0\)\s*memcpy\(p, &context->local, INADDRSZ\);/);
      for (const source of [rfc3315, radv]) for (const zero of ['IN6_IS_ADDR_UNSPECIFIED(a)', 'IN6_IS_ADDR_ULA_ZERO(a)', 'IN6_IS_ADDR_LINK_LOCAL_ZERO(a)']) expect(source).toContain(zero);
      // The RDNSS: the link's tags only, none of lower rank; an advertised range (CONTEXT_RA, or any with enable-ra) adds its tag.
      expect(radv).toMatch(/option_filter\(parm\.tags, NULL, daemon->dhcp_opts6[,)]/);
      expect(radv).toMatch(/if \(!option_bool\(OPT_RA\)\)\s*continue;[\s\S]*?collect dhcp-range tags \*\/\s*if \(context->netid\.next == &context->netid && context->netid\.net\)\s*\{\s*context->netid\.next = param->tags;\s*param->tags = &context->netid;/);
      // The link of an advertised range (ipv6-links.ts): add_prefixes() takes every range (not a template) of the
      // interface's address's network, and never reads a range's tag:<device> (its filter); a constructor: range is a
      // template, copied with its tag into a range of each address of the interface it names.
      const addPrefixes = radv.slice(radv.lastIndexOf('static int add_prefixes('), radv.indexOf('\n}', radv.lastIndexOf('static int add_prefixes(')));
      expect(addPrefixes).toMatch(/for \(context = daemon->dhcp6; context; context = context->next\)\s*if \(!\(context->flags & \(CONTEXT_TEMPLATE \| CONTEXT_OLD\)\) &&\s*prefix <= context->prefix &&\s*is_same_net6\(local, &context->start6, context->prefix\) &&\s*is_same_net6\(local, &context->end6, context->prefix\)\)/);
      expect(radv).not.toContain('context->filter');
      expect(option).toMatch(/strstr\(a\[leasepos\], "constructor:"\) == a\[leasepos\]\)\s*\{\s*new->template_interface = opt_string_alloc\(a\[leasepos\] \+ 12\);\s*new->flags \|= CONTEXT_TEMPLATE;/);
      const dhcp6 = show(tag, 'src/dhcp6.c');
      expect(dhcp6).toMatch(/else if \(wildcard_match\(template->template_interface, ifrn_name\) &&[\s\S]*?\*context = \*template;\s*context->start6 = start6;/);
      // The RDNSS drops [::] where the link has no global address (ULAs count apart) and [fd00::] where it has no ULA,
      // and sends nothing of a line left with no address, nor the default one then (done_dns).
      expect(addPrefixes).toMatch(/if \(IN6_IS_ADDR_ULA\(local\)\)\s*\{\s*if \(preferred > param->ula_pref_time\)[\s\S]*?else\s*\{\s*if \(preferred > param->glob_pref_time\)/);
      expect(radv).toMatch(/done_dns = 1;\s*if \(opt_cfg->len == 0\)\s*continue;/);
      expect(radv).toMatch(/if \(\(IN6_IS_ADDR_UNSPECIFIED\(a\) && parm\.glob_pref_time == 0\) \|\|\s*\(IN6_IS_ADDR_ULA_ZERO\(a\) && parm\.ula_pref_time == 0\) \|\|\s*\(IN6_IS_ADDR_LINK_LOCAL_ZERO\(a\) && parm\.link_pref_time == 0\)\)\s*len -= IN6ADDRSZ;\s*if \(len != 0\)/);
      expect(radv).toMatch(/if \(daemon->port == NAMESERVER_PORT && !done_dns && parm\.link_pref_time != 0\)/);
      // DHCPv6 (firewallDnsRanges()): complete_context6() takes the ranges (not templates) in the network of an address
      // of the device a request arrives on, as add_prefixes() does; a request with none gets no reply; an address is
      // handed out of a range whose tag:<device> the request carries (the device's name is one of its tags).
      const completeContext = dhcp6.slice(dhcp6.lastIndexOf('static int complete_context6('), dhcp6.indexOf('\n}', dhcp6.lastIndexOf('static int complete_context6(')));
      expect(completeContext).toMatch(/if \(if_index != param->ind\)\s*return 1;/);
      expect(completeContext).toMatch(/if \(\(context->flags & CONTEXT_DHCP\) &&\s*!\(context->flags & \(CONTEXT_TEMPLATE \| CONTEXT_OLD\)\) &&\s*prefix <= context->prefix &&\s*context->current == context\)\s*\{\s*if \(is_same_net6\(local, &context->start6, context->prefix\) &&\s*is_same_net6\(local, &context->end6, context->prefix\)\)/);
      // A range whose end is in another network than its start (of its prefix length) is refused outright: whatever
      // address of a device holds the start, complete_context6() and add_prefixes() find the end outside it.
      expect(option).toMatch(/new->end6 = new->start6;[\s\S]*?if \(!err && !is_same_net6\(&new->start6, &new->end6, new->prefix\)\)\s*err=\(_\("inconsistent DHCPv6 range"\)\);\s*if \(err\)\s*\{\s*dhcp_context_free\(new\);\s*ret_err\(err\);/);
      expect(rfc3315).toMatch(/if \(!state->context\)\s*\{\s*my_syslog\(MS_DHCP \| LOG_WARNING,\s*_\("no address range available for DHCPv6 request via %s"\), state->iface_name\);\s*return 0;/);
      expect(rfc3315).toContain('match_netid(c->filter, solicit_tags, plain_range)');
      // An ra-stateless range hands out no address; an Information-request reads no range's filter: it takes the set
      // tag of the link's range only where there is one range (no next in the chain), and then the options.
      expect(dhcp6).toMatch(/if \(c->flags & \(CONTEXT_DEPRECATE \| CONTEXT_STATIC \| CONTEXT_RA_STATELESS \| CONTEXT_USED\)\)\s*continue;/);
      const informationRequest = rfc3315.slice(rfc3315.indexOf('case DHCP6IREQ:'), rfc3315.indexOf('case DHCP6RELEASE:'));
      expect(informationRequest).toMatch(/if \(state->context && state->context->netid\.net && !state->context->current\)\s*\{\s*state->context->netid\.next = NULL;\s*state->context_tags = {2}&state->context->netid;\s*\}/);
      expect(informationRequest).toContain('tagif = add_options(state, 1);');
      expect(informationRequest).not.toContain('filter');
      // Option 23 of a DHCPv6 reply drops [fd00::] where the arrival device has no ULA (dhcp6.c keeps its last one),
      // never [::] (the range's own address on the device, or any other it has), and sends nothing of a line left with
      // no address, nor the default one then (done_dns is set before).
      expect(dhcp6).toMatch(/if \(IN6_IS_ADDR_LINKLOCAL\(local\)\)\s*param->ll_addr = \*local;\s*else if \(IN6_IS_ADDR_ULA\(local\)\)\s*param->ula_addr = \*local;/);
      expect(rfc3315).toMatch(/if \(opt_cfg->opt == OPTION6_DNS_SERVER\)\s*done_dns = 1;\s*if \(opt_cfg->flags & DHOPT_ADDR6\)/);
      expect(rfc3315).toMatch(/if \(\(IN6_IS_ADDR_ULA_ZERO\(a\) && IN6_IS_ADDR_UNSPECIFIED\(state->ula_addr\)\) \|\|\s*\(IN6_IS_ADDR_LINK_LOCAL_ZERO\(a\) && IN6_IS_ADDR_UNSPECIFIED\(state->ll_addr\)\)\)\s*len -= IN6ADDRSZ;\s*if \(len != 0\)/);
      expect(rfc3315).toMatch(/if \(IN6_IS_ADDR_UNSPECIFIED\(a\)\)\s*\{\s*if \(!add_local_addrs\(state->context\)\)\s*p = state->fallback;/);
      // An empty interface= (the template's, of only unassigned interfaces) is an interface of no name, which matches no
      // device, and with it in the list dnsmasq serves none (servedDhcp()): not every device, as with no interface= line.
      expect(option).toMatch(/case 'i':\s*\/\* --interface \*\/\s*do \{\s*comma = split\(arg\);\s*if_names_add\(arg\);/);
      expect(option).toMatch(/static void if_names_add\(const char \*ifname\)[\s\S]*?new->name = opt_string_alloc\(ifname\);/);
      expect(option).toMatch(/static char \*opt_string_alloc\(const char \*cp\)\s*\{\s*char \*ret = NULL;\s*size_t len;\s*if \(cp && \(len = strlen\(cp\)\) != 0\)/);
      const network = show(tag, 'src/network.c');
      expect(network).toMatch(/if \(daemon->if_names \|\| daemon->if_addrs\)\s*\{\s*ret = 0;\s*for \(tmp = daemon->if_names; tmp; tmp = tmp->next\)\s*if \(tmp->name && wildcard_match\(tmp->name, name\)\)/);
      // Where dnsmasq's DNS is on port 53 it answers the clients its DHCP serves (dnsmasqAnswers() needs no interface
      // list): a DHCPv4 or DHCPv6 request is served only on a device the interface= list names (iface_check()), and a
      // query on the wildcard socket (no bind-interfaces) is dropped only where iface_check() fails for the device it
      // arrives on, that same device.
      const [dhcp4, forward] = [show(tag, 'src/dhcp.c'), show(tag, 'src/forward.c')];
      expect(dhcp4).toMatch(/if \(!iface_check\(AF_INET, \(union all_addr \*\)&iface_addr, ifr\.ifr_name, NULL\)\)/);
      expect(dhcp6).toMatch(/for \(tmp = daemon->if_names; tmp; tmp = tmp->next\)\s*if \(tmp->name && wildcard_match\(tmp->name, ifr\.ifr_name\)\)\s*break;\s*if \(!tmp && !parm\.addr_match\)\s*return;/);
      expect(forward).toMatch(/int check_dst = !option_bool\(OPT_NOWILD\) \|\| family == AF_INET6;/);
      expect(forward).toMatch(/if \(!indextoname\(listen->fd, if_index, ifr\.ifr_name\)\)\s*return;\s*if \(!iface_check\(family, &dst_addr, ifr\.ifr_name, &auth_dns\)\)/);
      // The model's RA modes (Dnsmasq.xml ra_mode) that set CONTEXT_RA are exactly those firewallDnsRanges() reads as advertising.
      const setsRa = (mode: string) => {
        const line = new RegExp(`strcmp\\(a\\[leasepos\\], "${mode}"\\) == 0[^\\n]*\\)\\s*new->flags \\|= ([^;]*);`).exec(option);
        expect(line, mode).not.toBeNull();
        return /\bCONTEXT_RA\b/.test(line![1]!);
      };
      const modes = ['ra-only', 'slaac', 'ra-names', 'ra-stateless', 'ra-advrouter', 'off-link'];
      expect(modes.filter(setsRa)).toEqual(modes.filter((m) => ADVERTISING_RA_MODES.has(m)));
    });

    // Strict interface binding (dnsmasqDnsAt()): bind-interfaces is OPT_NOWILD, which binds each address create_bound_listeners()
    // finds among the interfaces iface_allowed() lets through iface_check() (the interface= list, with the loopback
    // added to it), instead of the wildcard, whose queries are answered by the device they arrive on whatever their
    // address; an IPv4 query on a bound socket is not checked by device at all.
    it.skipIf(absent)(`${version}: bind-interfaces binds the listed devices' addresses, the wildcard answers by arrival device${absent ? ` (skipped: no tag ${tag})` : ''}`, () => {
      const [main, option, network, forward] = [show(tag, 'src/dnsmasq.c'), show(tag, 'src/option.c'), show(tag, 'src/network.c'), show(tag, 'src/forward.c')];
      expect(option).toContain('{ "bind-interfaces", 0, 0, \'z\' },');
      expect(option).toContain("{ 'z', OPT_NOWILD, NULL,");
      expect(main).toMatch(/if \(option_bool\(OPT_NOWILD\) \|\| option_bool\(OPT_CLEVERBIND\)\)\s*\{\s*create_bound_listeners\(1\);[\s\S]*?\}\s*else\s*create_wildcard_listeners\(\);/);
      expect(network).toMatch(/void create_wildcard_listeners\(void\)[\s\S]*?addr\.in\.sin_addr\.s_addr = INADDR_ANY;[\s\S]*?addr\.in6\.sin6_addr = in6addr_any;/);
      expect(network).toMatch(/void create_bound_listeners\(int dienow\)[\s\S]*?for \(iface = daemon->interfaces; iface; iface = iface->next\)\s*if \(!iface->done && !iface->dad && iface->found\)[\s\S]*?create_listeners\(&iface->addr,/);
      const allowed = network.slice(network.indexOf('static int iface_allowed('), network.indexOf('\n}', network.indexOf('static int iface_allowed(')));
      expect(allowed).toMatch(/if \(daemon->if_names && loopback\)[\s\S]*?lo->next = daemon->if_names;\s*daemon->if_names = lo;/);
      expect(allowed).toMatch(/if \(addr->sa\.sa_family == AF_INET &&\s*!iface_check\(AF_INET, \(union all_addr \*\)&addr->in\.sin_addr, label, &auth_dns\)\)\s*return 1;/);
      expect(allowed.indexOf('return 1;\n\n  if (addr->sa.sa_family == AF_INET6 &&')).toBeLessThan(allowed.indexOf('iface->next = daemon->interfaces'));
      expect(forward).toMatch(/int check_dst = !option_bool\(OPT_NOWILD\) \|\| family == AF_INET6;/);
    });

    // A disabled interface's device has no address (interface-enabled.ts): dnsmasq serves no DHCPv4 request arriving
    // there (servedDhcp()), and complete_context6() and add_prefixes() find its ranges by the device's addresses.
    it.skipIf(absent)(`${version}: no DHCPv4 on a device without an address${absent ? ` (skipped: no tag ${tag})` : ''}`, () => {
      expect(show(tag, 'src/dhcp.c')).toMatch(/if \(ioctl\(daemon->dhcpfd, SIOCGIFADDR, &ifr\) != -1 \)\s*iface_addr = [^;]*;\s*else\s*\{\s*if \(iface_check\(AF_INET, NULL, ifr\.ifr_name, NULL\)\)\s*my_syslog\([^;]*which has no address[^;]*;\s*return;/);
    });

    // A static range (firewallDnsRanges(), Dhcpv6Reservations): CONTEXT_STATIC with CONTEXT_DHCP, so it is the link's
    // DHCPv6 range (and the router advertisement says managed) but address6_allocate() skips it; a Solicit that gets no
    // address is answered with NoAddrsAvail (2.92 adds the options of the request's tags alone: get_context_tag() runs
    // only with an address), an Advertise the client ignores; a dhcp-host's address is handed out in the range's
    // network, or one of no network part in any of prefix 64, with the host's tags among the request's.
    it.skipIf(absent)(`${version}: a static range hands out reserved addresses only${absent ? ` (skipped: no tag ${tag})` : ''}`, () => {
      const [option, rfc3315, radv] = [show(tag, 'src/option.c'), show(tag, 'src/rfc3315.c'), show(tag, 'src/radv.c')];
      expect(option).toMatch(/if \(strcmp\(a\[leasepos\], "static"\) == 0\)\s*new->flags \|= CONTEXT_STATIC \| CONTEXT_DHCP;/);
      expect(option).toMatch(/\/\* set WILDCARD if network part all zeros \*\/\s*if \(i == 8\)\s*new_addr->flags \|= ADDRLIST_WILDCARD;/);
      expect(radv).toMatch(/if \(context->flags & CONTEXT_DHCP\)\s*\{\s*[^}]*?other = 1;\s*if \(!\(context->flags & CONTEXT_RA_STATELESS\)\)\s*[^;]*managed = 1;/);
      const solicit = rfc3315.slice(rfc3315.indexOf('case DHCP6SOLICIT:'), rfc3315.indexOf('case DHCP6REQUEST:'));
      expect(solicit).toMatch(/else\s*\{\s*\/\* no address, return error \*\/\s*o1 = new_opt6\(OPTION6_STATUS_CODE\);\s*put_opt6_short\(DHCP6NOADDRS\);/);
      expect(solicit.match(/get_context_tag\(state, c\);\s*address_assigned = 1;/g)?.length).toBe(solicit.match(/get_context_tag\(state, c\);/g)?.length);
      const valid = rfc3315.slice(rfc3315.indexOf('static int config_valid(struct dhcp_config *config, struct dhcp_context *context, struct in6_addr *addr, struct state *state, time_t now)\n{'));
      expect(valid).toMatch(/if \(\(addr_list->flags & ADDRLIST_WILDCARD\)\)\s*\{\s*if \(context->prefix != 64\)\s*continue;\s*\*addr = context->start6;\s*\}\s*else if \(is_same_net6\(&context->start6, &addr_list->addr\.addr6, context->prefix\)\)/);
      expect(rfc3315).toMatch(/for \(list = config->netid; list; list = list->next\)\s*\{\s*list->list->next = state->tags;\s*state->tags = list->list;/);
    });
  }
});

// The lines of OPNsense's dnsmasq.conf that dnsmasq refuses though the model takes their items (dnsmasq-refusals.ts),
// read from option.c at each version the releases install: a line of the configuration file it cannot take ends it.
describe.skipIf(!mirror)(`dnsmasq's own code on the dnsmasq.conf lines it refuses${mirror ? '' : ' (skipped: DNSMASQ_GIT is not set)'}`, () => {
  for (const version of VERSIONS) {
    const tag = `v${version}`;
    const absent = !tags.has(tag);
    it.skipIf(absent)(`${version}: the refusals dnsmasqRefusals() reads${absent ? ` (skipped: the dnsmasq git directory has no tag ${tag})` : ''}`, () => {
      const option = show(tag, 'src/option.c');
      // An option of the configuration file it cannot take is fatal (not a reloaded file's, hard_opt).
      expect(option).toMatch(/_\(" at line %d of %s"\), lineno, file\);\s*if \(hard_opt != 0\)\s*my_syslog\(LOG_ERR, "%s", daemon->namebuff\);\s*else\s*die\("%s", daemon->namebuff, EC_BADCONF\);/);
      // dhcp-range, IPv4: with a mask (a third part with a dot), start and end in one network of it.
      expect(option).toMatch(/if \(k >= 3 && strchr\(a\[2\], '\.'\) &&\s*\(inet_pton\(AF_INET, a\[2\], &new->netmask\) > 0\)\)\s*\{\s*new->flags \|= CONTEXT_NETMASK;\s*leasepos = 3;\s*if \(!is_same_net\(new->start, new->end, new->netmask\)\)\s*\{\s*dhcp_context_free\(new\);\s*ret_err\(_\("inconsistent DHCP range"\)\);/);
      // IPv6: a bare number up to 128 is the prefix length, which must be 64 at least; then the end in the start's
      // network (pinned above), then a constructor range's start zero in the prefix.
      expect(option).toMatch(/if \(!\*cp && \(pref = atoi\(a\[leasepos\]\)\) <= 128\)\s*\{\s*new->prefix = pref;/);
      expect(option).toMatch(/else if \(new->prefix < 64\)\s*err=\(_\("prefix length must be at least 64"\)\);\s*if \(!err && !is_same_net6\(&new->start6, &new->end6, new->prefix\)\)/);
      expect(option).toMatch(/if \(new->flags & CONTEXT_TEMPLATE\)\s*\{\s*struct in6_addr zero;\s*memset\(&zero, 0, sizeof\(zero\)\);\s*if \(!is_same_net6\(&zero, &new->start6, new->prefix\)\)\s*\{\s*dhcp_context_free\(new\);\s*ret_err\(_\("prefix must be zero with \\"constructor:\\" argument"\)\);/);
      // The lease time: "infinite", or digits after a unit letter is taken off; a sign is not a digit.
      expect(option).toMatch(/for \(cp = a\[leasepos\]; \*cp; cp\+\+\)\s*if \(!\(\*cp >= '0' && \*cp <= '9'\)\)\s*break;\s*if \(\*cp \|\| \(leasepos\+1 < k\)\)\s*ret_err_free\(_\("bad dhcp-range"\), new\);/);
      // ra-param: a numeric MTU below 1280, an interval or lifetime not all digits (numeric_check) are refused; a
      // non-numeric MTU is an interface's name.
      expect(option).toMatch(/else if \(!atoi_check\(arg, &new->mtu\)\)\s*new->mtu_name = opt_string_alloc\(arg\);\s*else if \(new->mtu < 1280\)\s*goto err;/);
      expect(option).toMatch(/if \(!atoi_check\(comma, &new->interval\) \|\|\s*\(arg && !atoi_check\(arg, &new->lifetime\)\)\)\s*\{\s*err:\s*free\(new->name\);\s*ret_err_free\(_\("bad RA-params"\), new\);/);
      expect(option).toMatch(/static int numeric_check\(char \*a\)\s*\{[\s\S]*?for \(p = a; \*p; p\+\+\)\s*if \(\*p < '0' \|\| \*p > '9'\)\s*return 0;/);
      // dhcp-host: an IPv4 address an earlier dhcp-host holds is refused.
      expect(option).toMatch(/for \(configs = daemon->dhcp_conf; configs; configs = configs->next\)\s*if \(\(configs->flags & CONFIG_ADDR\) && configs->addr\.s_addr == in\.s_addr\)\s*\{\s*inet_ntop\(AF_INET, &in, daemon->addrbuff, ADDRSTRLEN\);\s*sprintf\(errstr, _\("duplicate dhcp-host IP address %s"\),\s*daemon->addrbuff\);\s*dhcp_config_free\(new\);\s*return 0;/);
    });

    // dhcp-host: a word that is not digits (after a unit letter is taken off), "infinite" or "ignore" is the host's
    // name, which legal_hostname() wants to begin with a letter or digit; from 2.91 (commit 6c9bc01) a second name is
    // refused before that (dnsmasqRefusals(): a Host's lease time with a sign).
    it.skipIf(absent)(`${version}: a dhcp-host word with a sign is a name${absent ? ` (skipped: the dnsmasq git directory has no tag ${tag})` : ''}`, () => {
      const [option, util] = [show(tag, 'src/option.c'), show(tag, 'src/util.c')];
      expect(option).toMatch(/for \(cp = arg; \*cp; cp\+\+\)\s*if \(isdigit\(\(unsigned char\)\*cp\)\)\s*isdig = 1;\s*else if \(\*cp != ' '\)\s*break;\s*if \(\*cp\)\s*\{\s*if \(lastp\)\s*\*lastp = last;\s*if \(strcmp\(arg, "infinite"\) == 0\)[\s\S]{0,200}?else if \(strcmp\(arg, "ignore"\) == 0\)\s*new->flags \|= CONFIG_DISABLE;\s*else\s*(?:if \(new->hostname\)\s*\{\s*dhcp_config_free\(new\);\s*ret_err\(_\("DHCP host has multiple names"\)\);\s*\}\s*else\s*)?\{\s*if \(!\(new->hostname = canonicalise_opt\(arg\)\) \|\|\s*!legal_hostname\(new->hostname\)\)\s*\{\s*dhcp_config_free\(new\);\s*ret_err\(_\("bad DHCP host name"\)\);/);
      // A MAC is a word with a ':' (dnsmasqRefusals(): a Host's MAC of another form is a name word).
      expect(option).toMatch(/case 'G':\s*\/\* --dhcp-host \*\/[\s\S]{0,600}?while \(arg\)\s*\{\s*comma = split\(arg\);\s*if \(strchr\(arg, ':'\)\)/);
      expect(option).toMatch(/\}\s*else if \(strchr\(arg, '\.'\) && \(inet_pton\(AF_INET, arg, &in\) > 0\)\)\s*\{\s*struct dhcp_config \*configs;/);
      const multiple = /else if \(new->hostname\)\s*\{\s*dhcp_config_free\(new\);\s*ret_err\(_\("DHCP host has multiple names"\)\);/.test(option);
      expect(multiple).toBe(dnsmasqAtLeast(version, '2.91'));
      expect(body(util, 'legal_hostname')).toMatch(/if \(\(c >= 'A' && c <= 'Z'\) \|\|\s*\(c >= 'a' && c <= 'z'\) \|\|\s*\(c >= '0' && c <= '9'\)\)\s*continue;\s*if \(!first && \(c == '-' \|\| c == '_'\)\)\s*continue;/);
    });

    // bind-interfaces (OPT_NOWILD) without bind-dynamic (OPT_CLEVERBIND): a name of the interface= line no address
    // matched ends dnsmasq as it starts, after the file is read (dnsmasq-unaddressed.ts). INAME_USED is set by
    // iface_check() when the name matches the device of an address (or a listen-address, which the template does not
    // write), which iface_allowed() asks for each IPv4 and IPv6 address enumerate_interfaces() finds, and on the
    // loopback iface_allowed() adds to the list.
    it.skipIf(absent)(`${version}: a listed name without an address ends dnsmasq under bind-interfaces${absent ? ` (skipped: the dnsmasq git directory has no tag ${tag})` : ''}`, () => {
      const [main, network] = [show(tag, 'src/dnsmasq.c'), show(tag, 'src/network.c')];
      const dies = /create_bound_listeners\(1\);\s*if \(!option_bool\(OPT_CLEVERBIND\)\)\s*for \(if_tmp = daemon->if_names; if_tmp; if_tmp = if_tmp->next\)\s*if \(if_tmp->name && !\(if_tmp->flags & INAME_USED\)\)\s*die\(_\("unknown interface %s"\), if_tmp->name, EC_BADNET\);/.exec(main);
      expect(dies).not.toBeNull();
      expect(main.indexOf('if (!enumerate_interfaces(1) || !enumerate_interfaces(0))')).toBeLessThan(dies!.index);
      expect(main.indexOf('NO calls to die() from here on')).toBeGreaterThan(dies!.index);
      const check = body(network, 'iface_check');
      expect(network.match(/flags \|= INAME_USED;/g)).toHaveLength(4);
      expect(check.match(/flags \|= INAME_USED;/g)).toHaveLength(3);
      expect(check).toMatch(/for \(tmp = daemon->if_names; tmp; tmp = tmp->next\)\s*if \(tmp->name && wildcard_match\(tmp->name, name\)\)\s*\{\s*tmp->flags \|= INAME_USED;/);
      expect(network).toMatch(/strcpy\(lo->name, ifr\.ifr_name\);\s*lo->flags \|= INAME_USED;/);
      const enumerate = network.slice(network.indexOf('int enumerate_interfaces(int reset)'));
      // 2.91 passes the callback in a union (callback_t), 2.90 as it is.
      expect(enumerate).toMatch(/iface_enumerate\(AF_INET6, &param, (?:\(callback_t\)\{\.af_inet6=)?iface_allowed_v6\}?\)[\s\S]*?iface_enumerate\(AF_INET, &param, (?:\(callback_t\)\{\.af_inet=)?iface_allowed_v4\}?\)/);
      for (const v of ['iface_allowed_v4', 'iface_allowed_v6']) expect(body(network, v)).toContain('return iface_allowed((struct iface_param *)vparam, if_index, ');
    });
  }
});

// How dnsmasq reads the value of a DHCP option's dhcp-option= or dhcp-match= line (dnsmasq-option-values.ts), by its
// table of options (dnsmasq-option-table.ts), read from dhcp-common.c and option.c at each version the releases install.
describe.skipIf(!mirror)(`dnsmasq's own code on the DHCP option values it refuses${mirror ? '' : ' (skipped: DNSMASQ_GIT is not set)'}`, () => {
  const KINDS: Record<string, OptionKind> = { OT_ADDR_LIST: 'addresses', OT_NAME: 'name', OT_RFC1035_NAME: 'domains', OT_CSTRING: 'strings', OT_TIME: 'time' };
  /** The kind of each number of the table `name` of dhcp-common.c, from its first entry (lookup_dhcp_len()). */
  const table = (common: string, name: string): Map<number, OptionKind> => {
    const start = common.indexOf(`${name}[] = {`);
    expect(start, name).toBeGreaterThanOrEqual(0);
    const text = common.slice(start, common.indexOf('};', start)).replace(/\/\*[\s\S]*?\*\//g, '');
    const out = new Map<number, OptionKind>();
    const seen = new Set<number>();
    for (const [, code, size] of text.matchAll(/\{\s*"[^"]+",\s*(\d+),\s*([^}]*)\}/g)) {
      const kinds = [...size!.matchAll(/\bOT_[A-Z0-9_]+/g)].flatMap(([flag]) => (KINDS[flag] ? [KINDS[flag]] : []));
      // parse_dhcp_opt() reads one kind of an entry: none has two.
      expect(kinds.length, `${name} ${code}`).toBeLessThanOrEqual(1);
      if (!seen.has(Number(code)) && kinds.length === 1) out.set(Number(code), kinds[0]!);
      seen.add(Number(code));
    }
    expect(seen.size, name).toBeGreaterThan(20);
    return out;
  };
  const sorted = (m: ReadonlyMap<number, OptionKind>) => [...m].sort((a, b) => a[0] - b[0]);

  for (const version of VERSIONS) {
    const tag = `v${version}`;
    const absent = !tags.has(tag);
    it.skipIf(absent)(`${version}: the table optionKinds() holds, and how parse_dhcp_opt() reads a value by it${absent ? ` (skipped: the dnsmasq git directory has no tag ${tag})` : ''}`, () => {
      const [common, option, util, dns] = [show(tag, 'src/dhcp-common.c'), show(tag, 'src/option.c'), show(tag, 'src/util.c'), show(tag, 'src/dns-protocol.h')];
      expect(sorted(optionKinds(4, version))).toEqual(sorted(table(common, 'opttab')));
      expect(sorted(optionKinds(6, version))).toEqual(sorted(table(common, 'opttab6')));
      expect(common).toMatch(/for \(i = 0; t\[i\]\.name; i\+\+\)\s*if \(val == t\[i\]\.val\)\s*return t\[i\]\.size & ~OT_DEC;/);
      const parse = option.slice(option.indexOf('static int parse_dhcp_opt('), option.indexOf('\n}', option.indexOf('static int parse_dhcp_opt(')));
      // The characters of the value: what each takes from address, IPv6 address, hex and decimal.
      expect(parse).toMatch(/if \(c == ','\)\s*\{\s*addrs\+\+;\s*is_dec = is_hex = 0;\s*\}\s*else if \(c == ':'\)\s*\{\s*digs\+\+;\s*is_dec = is_addr = 0;\s*found_colon = 1;\s*\}\s*else if \(c == '\/'\)\s*\{\s*is_addr6 = is_dec = is_hex = 0;\s*if \(cp == comma\)[^\n]*\n\s*is_addr = 0;\s*\}\s*else if \(c == '\.'\)\s*\{\s*is_dec = is_hex = 0;\s*dots\+\+;\s*\}\s*else if \(c == '-'\)\s*is_hex = is_addr = is_addr6 = 0;\s*else if \(c == ' '\)\s*is_dec = is_hex = 0;/);
      expect(parse).toMatch(/else if \(!\(c >='0' && c <= '9'\)\)\s*\{\s*is_addr = 0;\s*if \(cp\[1\] == 0 && is_dec &&\s*\(c == 'b' \|\| c == 's' \|\| c == 'i'\)\)\s*\{\s*lenchar = c;\s*\*cp = 0;\s*\}\s*else\s*is_dec = 0;\s*if \(!\(\(c >='A' && c <= 'F'\) \|\|\s*\(c >='a' && c <= 'f'\) \|\|\s*\(c == '\*' && \(flags & DHOPT_MATCH\)\)\)\)\s*\{\s*is_hex = 0;\s*if \(c != '\[' && c != '\]'\)\s*is_addr6 = 0;/);
      expect(parse).toMatch(/if \(!found_dig\)\s*is_dec = is_addr = 0;\s*if \(!found_colon\)\s*is_addr6 = 0;/);
      // DHCPv6's NTP server; an option of addresses refuses anything else; one of names or strings is text.
      expect(parse).toMatch(/if \(is6 && new->opt == OPTION6_NTP_SERVER && !is_hex\)\s*opt_len \|= is_addr6 \? OT_ADDR_LIST : OT_RFC1035_NAME;/);
      expect(parse).toMatch(/if \(opt_len & OT_ADDR_LIST\)\s*\{\s*is_string = is_dec = is_hex = 0;\s*if \(!is6 && \(!is_addr \|\| dots == 0\)\)\s*goto_err\(_\("bad IP address"\)\);\s*if \(is6 && !is_addr6\)\s*goto_err\(_\("bad IPv6 address"\)\);\s*\}\s*\/\* or names \*\/\s*else if \(opt_len & \(OT_NAME \| OT_RFC1035_NAME \| OT_CSTRING\)\)\s*is_addr6 = is_addr = is_dec = is_hex = 0;/);
      // Then, in this order: a time, hex, a number, IPv4 addresses (inet_pton() each, before any '/'), IPv6 addresses
      // (inet_pton() each, brackets taken off), text.
      const order = ['if (found_dig && (opt_len & OT_TIME) && strlen(comma) > 0)', 'else if (is_hex && digs > 1)', 'else if (is_dec)', 'else if (is_addr && !is6)', 'else if (is_addr6 && is6)', 'else if (is_string)'].map((s) => parse.indexOf(s));
      expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), order.join()).toBe(true);
      expect(parse).toMatch(/comma = split\(cp\);\s*slash = split_chr\(cp, '\/'\);\s*if \(!inet_pton\(AF_INET, cp, &in\)\)\s*goto_err\(_\("bad IPv4 address"\)\);/);
      expect(parse).toMatch(/if \(\*cp == '\['\)\s*cp\+\+;\s*if \(strlen\(cp\) > 1 && cp\[strlen\(cp\)-1\] == '\]'\)\s*cp\[strlen\(cp\)-1\] = 0;\s*if \(inet_pton\(AF_INET6, cp, op\)\)\s*\{\s*op \+= IN6ADDRSZ;\s*continue;\s*\}\s*goto_err\(_\("bad IPv6 address"\)\);/);
      // Text: DHCPv4 119 and 120 as names ('.' allowed), DHCPv6 strings, DHCPv6 names, else a string; each name by
      // canonicalise_opt(), up to the first empty part; DHCPv4 at most 255 bytes.
      expect(parse).toMatch(/if \(\(new->opt == OPTION_DOMAIN_SEARCH \|\| new->opt == OPTION_SIP_SERVER\) &&\s*!is6 && !\(new->flags & \(DHOPT_ENCAPSULATE \| DHOPT_VENDOR \| DHOPT_RFC3925\)\)\)/);
      expect(parse).toMatch(/while \(arg && \*arg\)\s*\{\s*char \*in, \*dom = NULL;\s*size_t domlen = 1;\s*\/\* Allow "\." as an empty domain \*\/\s*if \(strcmp \(arg, "\."\) != 0\)\s*\{\s*if \(!\(dom = canonicalise_opt\(arg\)\)\)\s*goto_err\(_\("bad domain in dhcp-option"\)\);/);
      expect(parse).toMatch(/else if \(comma && \(opt_len & OT_CSTRING\)\)[\s\S]*else if \(comma && \(opt_len & OT_RFC1035_NAME\)\)[\s\S]*while \(arg && \*arg\)\s*\{\s*char \*dom = canonicalise_opt\(arg\);\s*if \(!dom\)\s*goto_err\(_\("bad domain in dhcp-option"\)\);[\s\S]*else\s*\{\s*new->len = strlen\(comma\);/);
      expect(parse).toMatch(/if \(!is6 &&\s*\(\(new->len > 255\) \|\|[\s\S]*?goto_err\(_\("dhcp-option too long"\)\);/);
      expect(option).toMatch(/static char \*canonicalise_opt\(char \*s\)[\s\S]*?if \(strlen\(s\) == 0\)\s*return opt_malloc\(1\);[^\n]*\s*unhide_metas\(s\);\s*if \(!\(ret = canonicalise\(s, &nomem\)\) && nomem\)/);
      // check_name(): length, labels, control characters, blank; capitals and non-ASCII go to IDN where built with it.
      expect(util).toMatch(/if \(l == 0 \|\| l > MAXDNAME\) return 0;\s*if \(in\[l-1\] == '\.'\)\s*\{\s*in\[l-1\] = 0;\s*nowhite = 1;\s*\}/);
      expect(util).toMatch(/if \(c == '\.'\)\s*dotgap = 0;\s*else if \(\+\+dotgap > MAXLABEL\)\s*return 0;\s*else if \(isascii\(\(unsigned char\)c\) && iscntrl\(\(unsigned char\)c\)\)[^\n]*\n[^\n]*\n\s*return 0;\s*else if \(!isascii\(\(unsigned char\)c\)\)/);
      expect(util).toMatch(/if \(!nowhite\)\s*return 0;/);
      expect(dns).toMatch(/#define MAXDNAME\s+1025\b/);
      expect(dns).toMatch(/#define MAXLABEL\s+63\b/);
      // Reading the line: quotes hide these characters (unhidden for names), escapes in them, a '#' after white space.
      expect(option).toContain('static const char meta[] = "\\000123456 \\b\\t\\n78\\r90abcdefABCDE\\033F:,.";');
      expect(option).toMatch(/if \(\*p == '\\\\' && strchr\("\\"tnebr\\\\", p\[1\]\)\)/);
      expect(option).toMatch(/\*p = hide_meta\(\*p\);\s*\}\s*if \(\*p == 0\)\s*\{\s*errmess = _\("missing \\""\);/);
      expect(option).toMatch(/if \(white && \*p == '#'\)\s*\{\s*\*p = 0;\s*break;\s*\}/);
    });
  }
});
