// OPNsense rules: what the generated config.xml could not carry.
import { frontendsServing } from '../resolve/haproxy.js';
import { KNOWN_DNS_PROVIDERS, dnsService, offersDnsService, privateSuffix } from '../targets/opnsense/acme.js';
import { HAPROXY_CONDITION_MAX, hostConditions, overlongConditions } from '../targets/opnsense/haproxy-conditions.js';
import { GROUP_DESCRIPTION, GROUP_NAME_ENDS_IN_DIGIT, WIREGUARD_GROUP } from '../targets/opnsense/interfaces.js';
import { releaseFacts } from '../targets/opnsense/releases.js';
import type { Rule } from './rule.js';

/** A wildcard host name of 252 characters: with port 8080 its Host condition is longer than the model's hdr_end takes. */
const LONG_WILDCARD_EXAMPLE = `*.${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(54)}.org`;

export const opnsenseRules: Rule[] = [
  {
    id: 'opnsense/dhcp-server-release',
    severity: 'warning',
    summary: 'ISC DHCP is chosen for an OPNsense release that has it only as a plugin.',
    why: 'ISC DHCP left OPNsense core in 26.1; without the os-isc-dhcp plugin the restored <dhcpd> settings serve nothing.',
    hint: 'Install os-isc-dhcp before restoring, or use the default DHCP server (dnsmasq).',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].firewall',
        bad: 'release: "26.7"\ndhcp_server: isc',
        good: 'release: "26.7"\ndhcp_server: dnsmasq',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const fw = site.firewall;
        if (fw?.dhcpServer === 'isc' && fw.interfaces.some((i) => i.dhcp) && releaseFacts(fw.release)?.forms.iscDhcp === 'plugin') {
          report({
            path: fw.path.concat('dhcp_server'),
            message: `OPNsense ${fw.release} has ISC DHCP only with the os-isc-dhcp plugin; install it before the restore, or leave dhcp_server out (dnsmasq)`,
            hint: `Install os-isc-dhcp on ${fw.name} (System > Firmware > Plugins) before restoring, or remove dhcp_server: isc to use dnsmasq.`,
          });
        }
      }
    },
  },
  {
    id: 'opnsense/peer-without-key',
    severity: 'warning',
    summary: 'An enabled WireGuard peer has no public key, so the firewall cannot list it.',
    why: 'OPNsense requires a public key for every peer (the Client model refuses an empty one); gen leaves a peer without one out of the firewall\'s configuration, so the device cannot connect until the key is in the topology.',
    hint: 'Add the peer with gen wg add-peer (it makes the key pair), or write its public_key.',
    examples: [
      {
        where: 'sites[].wireguard[].peers[+]',
        bad: '{ name: laptop-jane, role: workstation, address: 10.0.1.4 }',
        good: '{ name: laptop-jane, role: workstation, address: 10.0.1.4, public_key: eajhiClqdn4DDwQW29Ru4kFkNJxNiADHeD5oQ0BLmD4= }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        if (!site.firewall) continue;
        for (const wg of site.wireguard) {
          // Indexed: a for-of steps an iterator per peer until V8 optimizes the loop (src/arrays.ts).
          for (let p = 0; p < wg.peers.length; p++) {
            const peer = wg.peers[p]!;
            if (peer.enabled && peer.publicKey === undefined) {
              report({
                path: peer.path,
                message: `peer ${peer.name} of ${wg.name} has no public_key; the firewall will not accept it`,
                hint: `Write the public_key of ${peer.name}'s device, or let gen make a key pair: remove the peer and run gen wg add-peer ${peer.name} --role ${peer.role}.`,
              });
            }
          }
        }
      }
    },
  },
  {
    id: 'opnsense/acme-challenge',
    severity: 'error',
    summary: 'An ACME certificate cannot be validated the way the topology asks.',
    why:
      "The ACME client needs one of its acme.sh DNS APIs for DNS-01 (gen does not guess one), one that the firewall's release lists (its model refuses any other); Let's Encrypt issues wildcard names only through DNS-01; " +
      "HTTP-01 is answered on port 80, so through HAProxy it needs a frontend with http_redirect that uses the certificate, open to any source (Let's Encrypt validates from addresses it does not publish).",
    hint: `Name dns_provider (${KNOWN_DNS_PROVIDERS.join(', ')}, or an acme.sh API name such as dns_linode_v4), or use challenge: dns-01 for wildcards, or set http_redirect: true on the frontend.`,
    examples: [
      {
        where: 'sites[].haproxy',
        bad: 'certificates:\n  - { name: www, domain: www.example.com, challenge: http-01 }\nfrontends:\n  - { name: https, bind: 0.0.0.0:443, interface: wan, certificate: www, default_backend: web }',
        good: 'certificates:\n  - { name: www, domain: www.example.com, challenge: http-01 }\nfrontends:\n  - { name: https, bind: 0.0.0.0:443, interface: wan, certificate: www, http_redirect: true, default_backend: web }',
      },
      {
        // The example's policy test of HTTPS from the internet would fail once the frontend is restricted: left out.
        context: [{ where: 'sites[].policy', snippet: 'tests: []' }],
        where: 'sites[].haproxy',
        bad: 'certificates:\n  - { name: www, domain: www.example.com, challenge: http-01 }\nfrontends:\n  - { name: https, bind: 0.0.0.0:443, interface: wan, certificate: www, http_redirect: true, from: [198.51.100.0/24], default_backend: web }',
        good: 'certificates:\n  - { name: www, domain: www.example.com, challenge: dns-01, dns_provider: cloudflare }\nfrontends:\n  - { name: https, bind: 0.0.0.0:443, interface: wan, certificate: www, http_redirect: true, from: [198.51.100.0/24], default_backend: web }',
      },
      {
        where: 'sites[].haproxy',
        bad: 'certificates:\n  - { name: wildcard, domain: "*.example.com", challenge: dns-01 }',
        good: 'certificates:\n  - { name: wildcard, domain: "*.example.com", challenge: dns-01, dns_provider: cloudflare }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        if (!site.firewall) continue;
        for (const cert of site.haproxy.certificates) {
          if (cert.challenge === 'dns-01') {
            if (cert.dnsProvider === undefined) {
              report({
                path: cert.path,
                message: `certificate ${cert.name} uses DNS-01 but names no dns_provider`,
                hint: `Set dns_provider on certificate ${cert.name}: ${KNOWN_DNS_PROVIDERS.join(', ')}, or an acme.sh API name such as dns_linode_v4.`,
              });
            } else if (dnsService(cert.dnsProvider) === undefined) {
              report({
                path: cert.path.concat('dns_provider'),
                message: `certificate ${cert.name}: "${cert.dnsProvider}" is not a DNS provider gen knows (${KNOWN_DNS_PROVIDERS.join(', ')}) nor an acme.sh API name (dns_…)`,
                hint: `Use one of ${KNOWN_DNS_PROVIDERS.join(', ')}, or the acme.sh API name of your DNS host (dns_ and its name, as in acme.sh's dnsapi directory).`,
              });
            } else if (offersDnsService(releaseFacts(site.firewall.release)?.fields('acme'), dnsService(cert.dnsProvider)!) === false) {
              // An acme.sh name the release's ACME client does not list: its model refuses the validation on the next save.
              report({
                path: cert.path.concat('dns_provider'),
                message: `certificate ${cert.name}: the ACME client of OPNsense ${site.firewall.release} offers no DNS service ${dnsService(cert.dnsProvider)}, so OPNsense refuses the validation gen writes`,
                hint: 'Use a DNS service the Challenge Types dialog lists for this release (its acme.sh name, dns_…), or one of the providers gen names.',
              });
            }
            continue;
          }
          const wildcard = [cert.domain, ...cert.altNames].find((name) => name.startsWith('*'));
          if (wildcard !== undefined) {
            report({
              path: cert.path.concat('challenge'),
              message: `certificate ${cert.name}: ${wildcard} is a wildcard name, which Let's Encrypt validates only with DNS-01`,
              hint: `Set challenge: dns-01 and a dns_provider on certificate ${cert.name}.`,
            });
            continue;
          }
          const using = frontendsServing(site.haproxy).get(cert.name) ?? [];
          // Where Let's Encrypt's plain HTTP request on port 80 meets HTTP: a frontend's redirect frontend. A frontend that
          // serves the certificate on port 80 itself speaks TLS there (ssl_enabled, its bind gets ssl crt-list), which the
          // request cannot pass.
          const onPort80 = using.filter((f) => f.httpRedirect);
          // Let's Encrypt validates from addresses it does not publish: a pass open only to some sources refuses it.
          if (onPort80.length > 0 && onPort80.every((f) => f.from !== undefined)) {
            report({
              path: onPort80[0]!.path.concat('from'),
              message: `certificate ${cert.name} uses HTTP-01, but frontend ${onPort80[0]!.name}, where Let's Encrypt asks for the challenge on port 80, is open only to ${onPort80[0]!.from!.join(', ')}: Let's Encrypt validates from addresses it does not publish, so the certificate is never issued or renewed`,
              hint: `Use challenge: dns-01 with a dns_provider on certificate ${cert.name}, or remove from: on frontend ${onPort80[0]!.name}.`,
            });
          } else if (onPort80.length === 0) {
            report({
              path: cert.path.concat('challenge'),
              message: `certificate ${cert.name} uses HTTP-01, but no frontend with this certificate listens on port 80 (http_redirect)`,
              hint: using.length
                ? `Set http_redirect: true on frontend ${using[0]!.name}: it then also listens on port 80, where Let's Encrypt asks for the challenge (or use challenge: dns-01 with a dns_provider).`
                : `Use certificate ${cert.name} on a frontend with http_redirect: true, or use challenge: dns-01 with a dns_provider.`,
            });
          }
        }
      }
    },
  },
  {
    id: 'opnsense/acme-private-name',
    severity: 'error',
    summary: 'An ACME certificate names a host under a suffix no public CA issues for (.local, .internal, .lan, .home.arpa, …).',
    why: "Let's Encrypt (the ACME client's CA here) issues certificates only for names in the public DNS; for a private name the order fails at every renewal and HAProxy keeps serving the self-signed stand-in.",
    hint: 'Use a name under a public domain you control (split DNS can point it at the private address), or leave the certificate out and import one from your own CA in System > Trust.',
    examples: [
      {
        where: 'sites[].haproxy.certificates[wildcard]',
        bad: '{ name: wildcard, domain: "*.home.lan", challenge: dns-01, dns_provider: cloudflare }',
        good: '{ name: wildcard, domain: "*.home.example.com", challenge: dns-01, dns_provider: cloudflare }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        if (!site.firewall) continue;
        for (const cert of site.haproxy.certificates) {
          for (const [i, name] of [cert.domain, ...cert.altNames].entries()) {
            const suffix = privateSuffix(name);
            if (suffix !== undefined) {
              report({
                path: i === 0 ? cert.path.concat('domain') : cert.path.concat('alt_names', i - 1),
                message: `certificate ${cert.name}: ${name} is under .${suffix}, which is not in the public DNS, so Let's Encrypt cannot issue it`,
              });
            }
          }
        }
      }
    },
  },
  {
    id: 'opnsense/group-name',
    severity: 'error',
    summary: 'An interface group name or description that OPNsense refuses.',
    why:
      'OPNsense (and FreeBSD interface groups) refuse a group name that ends in a digit, and a group named after an interface key or the WireGuard group would shadow it in rules; ' +
      'group descriptions allow only letters, digits, spaces, ".", "-", "," and "_", and characters from U+00A0 to U+FFFF (Korean, for example).',
    hint: 'Rename the group (e.g. "servers" instead of "servers1"), and keep its description to those characters.',
    examples: [
      {
        where: 'sites[].firewall',
        bad: 'groups:\n  - { name: inside1, members: [management, service] }',
        good: 'groups:\n  - { name: inside, members: [management, service] }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const fw = site.firewall;
        if (!fw) continue;
        const keys = new Set([...fw.interfaces.map((i) => i.key), WIREGUARD_GROUP, 'any']);
        for (const group of fw.groups) {
          if (GROUP_NAME_ENDS_IN_DIGIT.test(group.name)) {
            const stem = group.name.replace(/\d+$/, '');
            report({
              path: group.path.concat('name'),
              message: `group ${group.name}: OPNsense refuses a group name that ends in a digit`,
              hint: `Rename group ${group.name} to a name that does not end in a digit${stem && !keys.has(stem) ? ` (e.g. ${stem})` : ''}.`,
            });
          } else if (keys.has(group.name)) {
            report({
              path: group.path.concat('name'),
              message: `group ${group.name} has the name of an interface or of the WireGuard group`,
              hint: `Rename group ${group.name}: rules that name ${group.name} would mean the ${group.name === WIREGUARD_GROUP ? 'WireGuard group' : 'interface'}.`,
            });
          }
          if (group.description !== undefined && !GROUP_DESCRIPTION.test(group.description)) {
            const refused = [...new Set([...group.description].filter((c) => !GROUP_DESCRIPTION.test(c)))];
            report({
              path: group.path.concat('description'),
              message: `group ${group.name}: OPNsense allows only letters, digits, spaces, ".", "-", "," and "_" in a group description`,
              hint: `Rewrite the description of group ${group.name} without ${refused.join(' ')}.`,
            });
          }
        }
      }
    },
  },
  {
    id: 'opnsense/dhcp-host-name',
    severity: 'error',
    summary: 'A DHCP reservation name that is not a DNS host name.',
    why: 'OPNsense registers reservations in DNS and validates their names as host names (letters, digits and "-", no "_"); one invalid name makes it refuse every later save of the DHCP settings.',
    hint: 'Rename the reservation with letters, digits and "-" only (e.g. "nas-1" instead of "nas_1").',
    examples: [
      {
        topology: 'homelab-family',
        where: 'sites[].firewall.interfaces[lan]',
        bad: 'dhcp:\n  static:\n    - { name: admin_pc, mac: "52:54:00:12:34:56", address: 10.10.0.10 }',
        good: 'dhcp:\n  static:\n    - { name: admin-pc, mac: "52:54:00:12:34:56", address: 10.10.0.10 }',
      },
    ],
    check(model, report) {
      const label = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
      const hostname = new RegExp(`^${label}(\\.${label})*$`);
      for (const site of model.sites) {
        for (const iface of site.firewall?.interfaces ?? []) {
          for (const entry of iface.dhcp?.static ?? []) {
            if (!hostname.test(entry.name)) report({ path: entry.path.concat('name'), message: `DHCP reservation ${entry.name} on ${iface.name} is not a host name (letters, digits and "-" between dots)` });
          }
        }
      }
    },
  },
  {
    id: 'opnsense/rule-source-unplaced',
    severity: 'warning',
    summary: 'A policy rule from a network whose traffic gen cannot place on a firewall interface, so its filter rules are left out.',
    why: 'gen puts a rule on the interface where its source traffic arrives; a remote network is assumed to come through the WireGuard group, and a site without WireGuard has none, so the firewall would get no rule for it (default deny).',
    hint: 'Add the pass on the firewall by hand for the tunnel that carries that network (e.g. Firewall > Rules > IPsec), or reach the network through WireGuard.',
    examples: [
      {
        topology: 'vlan-hosting',
        context: [{ where: 'sites[]', snippet: 'remote_networks:\n  - { name: office, cidr: 10.50.0.0/16 }' }],
        where: 'sites[].policy.rules',
        text: true,
        bad: '- { name: lan-out, from: lan, to: any, action: pass }\n- { name: mgmt-out, from: mgmt, to: any, action: pass }\n- { name: hosting-internet-only, from: hosting, to: internet, action: pass }\n- { name: office-web, from: office, to: websvc, action: pass }',
        good: '- { name: lan-out, from: lan, to: any, action: pass }\n- { name: mgmt-out, from: mgmt, to: any, action: pass }\n- { name: hosting-internet-only, from: hosting, to: internet, action: pass }\n# gen-ignore opnsense/rule-source-unplaced: the IPsec pass is kept by hand in Firewall > Rules > IPsec\n- { name: office-web, from: office, to: websvc, action: pass }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        if (!site.firewall || site.wireguard.length > 0) continue;
        const remote = new Map(model.networks.filter((n) => n.kind === 'remote' || n.kind === 'vpn').map((n) => [n.id, n]));
        for (const rule of site.policy.rules) {
          for (const object of rule.sources) {
            // A remote network, or an address inside one.
            const network = object.network !== undefined ? remote.get(object.network) : undefined;
            const what = object.kind === 'network' ? `${network?.name} (${network?.cidr})` : `${object.name} (in ${network?.name})`;
            if (network) report({ path: rule.path, message: `rule ${rule.name}: traffic from ${what} enters through no interface gen knows; no filter rule is written for it` });
          }
        }
      }
    },
  },
  {
    id: 'opnsense/haproxy-bind',
    severity: 'error',
    summary: 'Two HAProxy listeners on the same port and address (0.0.0.0 takes every address).',
    why: 'HAProxy cannot bind one port twice; it refuses the whole configuration and serves nothing. A frontend with http_redirect also listens on port 80.',
    hint: 'Serve several sites on one address and port from one frontend with hosts (each host name routed to its backend); otherwise give the frontends different ports or addresses, or drop http_redirect where another frontend already has port 80.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].haproxy.frontends[+]',
        bad: '{ name: panel, bind: 0.0.0.0:443, interface: wan, certificate: wildcard, default_backend: web-pool }',
        good: '{ name: panel, bind: 0.0.0.0:8443, interface: wan, certificate: wildcard, default_backend: web-pool }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        if (!site.firewall) continue;
        const listeners = site.haproxy.frontends.flatMap((f) => [
          { what: `frontend ${f.name}`, frontend: f.name, redirect: false, address: f.address, port: f.port, path: f.path.concat('bind') },
          ...(f.httpRedirect ? [{ what: `the HTTP redirect of frontend ${f.name}`, frontend: f.name, redirect: true, address: f.address, port: 80, path: f.path.concat('http_redirect') }] : []),
        ]);
        // The first earlier listener on the same port and address, or on the
        // port at all when either binds 0.0.0.0: looked up, not searched
        // (a search per listener made frontends × frontends).
        const firstOnPort = new Map<number, number>();
        const firstAt = new Map<string, number>();
        listeners.forEach((l, i) => {
          const candidates = l.address === '0.0.0.0' ? [firstOnPort.get(l.port)] : [firstAt.get(`${l.port} ${l.address}`), firstAt.get(`${l.port} 0.0.0.0`)];
          if (!firstOnPort.has(l.port)) firstOnPort.set(l.port, i);
          if (!firstAt.has(`${l.port} ${l.address}`)) firstAt.set(`${l.port} ${l.address}`, i);
          const earliest = candidates.reduce<number>((least, c) => (c !== undefined && c < least ? c : least), Infinity);
          if (earliest === Infinity) return;
          const clash = listeners[earliest]!;
          const hint = l.redirect
            ? `Remove http_redirect from frontend ${l.frontend}: ${clash.what} already has port 80.`
            : clash.redirect
              ? `Bind frontend ${l.frontend} to another port, or remove http_redirect from frontend ${clash.frontend}.`
              : `Serve the sites of frontend ${l.frontend} from frontend ${clash.frontend} with hosts (each host name routed to its backend), or bind frontend ${l.frontend} to another port or address.`;
          report({ path: l.path, message: `${l.what} listens on ${l.address}:${l.port}, which ${clash.what} already binds (${clash.address}:${clash.port})`, hint });
        });
      }
    },
  },
  {
    id: 'opnsense/haproxy-host-length',
    severity: 'error',
    summary: "A HAProxy host name is longer than OPNsense's HAProxy model takes in the condition that routes it.",
    why: "gen routes a host name on an HTTP frontend by the Host header, as the name and as the name with the frontend's port (a client may send the port). A wildcard matches the end of the header (hdr_end), which the os-haproxy model takes up to 255 characters: a wildcard host name of 253 characters on port 443 (252 on a port of four digits, 251 on one of five) makes the form with the port longer than that. The config restores, but the next save of any HAProxy item in the GUI fails the model's validation.",
    hint: "Write the host names the wildcard stands for (a name without * is matched in full, and the model takes 1024 characters there), or a shorter wildcard.",
    examples: [
      {
        topology: 'homelab-family',
        where: 'sites[].haproxy.frontends[+]',
        bad: `{ name: lab, bind: 0.0.0.0:8080, hosts: [{ name: "${LONG_WILDCARD_EXAMPLE}", backend: jellyfin }] }`,
        good: `{ name: lab, bind: 0.0.0.0:8080, hosts: [{ name: "${LONG_WILDCARD_EXAMPLE.replace('*', 'w')}", backend: jellyfin }] }`,
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        if (!site.firewall) continue;
        for (const frontend of site.haproxy.frontends) {
          for (const host of frontend.hosts) {
            const conditions = hostConditions(host.name, frontend.port, frontend.passthrough);
            const [value] = overlongConditions(conditions);
            if (value === undefined) continue;
            const max = HAPROXY_CONDITION_MAX[conditions.expression];
            report({
              path: host.path.concat('name'),
              message: `frontend ${frontend.name} routes ${host.name} by a condition on the Host header (${conditions.expression}) that is ${Array.from(value).length} characters with port ${frontend.port}, more than the ${max} OPNsense's HAProxy model takes: the next save of a HAProxy item in the GUI fails`,
              hint: `Write the host names ${host.name} stands for (each matched in full), or a wildcard of at most ${host.name.length - (Array.from(value).length - max)} characters.`,
            });
          }
        }
      }
    },
  },
];
