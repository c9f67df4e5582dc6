// HAProxy's host names as clients inside see them. Behind the upstream
// router the public DNS answers the router's address; a client on one of the
// firewall's networks then sends its connection out of the WAN to the router,
// which brings it back only if it does NAT hairpin (gen assumes it does not,
// as for WireGuard's -lan files). The firewall's own reflection cannot help:
// the packet is addressed to the router, not to the firewall, so a port
// forward's reflection serves only clients that use the WAN's own address.
import type { Rule } from './rule.js';

export const hairpinRules: Rule[] = [
  {
    id: 'upstream/hairpin',
    severity: 'warning',
    summary: "HAProxy host names, or a port forward with reflection, on a WAN behind the upstream router: clients inside resolve the public names to the router's address, which a router without NAT hairpin does not bring back.",
    why:
      "The public DNS answers a site's host names with the upstream router's public address. A client on the firewall's networks (or a VPN peer) that looks one up sends its connection to that address: out of the firewall's WAN to the router, " +
      'which forwards to the firewall only what comes in on its WAN side unless it does NAT hairpin (NAT loopback). The site works from the internet and times out from inside. ' +
      "OPNsense's reflection (a port forward's reflection) does not help: it redirects connections to the firewall's own WAN address, not to the router's.",
    hint:
      "Answer the names inside with an address of the firewall where HAProxy listens, on the resolver those clients use: on the firewall, Services › Unbound DNS › Overrides › Hosts (a wildcard name as host *), or the router's DNS for its own LAN; " +
      'the policy must pass those zones to the firewall on the frontend\'s port (a rule to wan or self). Then silence this finding on the frontend\'s hosts with \'# gen-ignore upstream/hairpin: <where the names are answered>\'; ' +
      'a router that does hairpin, or names meant for outside only, take the same comment with that reason.',
    examples: [
      {
        topology: 'homelab-family',
        where: 'sites[].haproxy.frontends[https]',
        text: true,
        bad: 'name: https\nbind: 0.0.0.0:443\ncertificate: web\nhttp_redirect: true\nhosts:\n  - { name: cloud.example.org, backend: nextcloud }',
        good: 'name: https\nbind: 0.0.0.0:443\ncertificate: web\nhttp_redirect: true\n# gen-ignore upstream/hairpin: the firewall\'s Unbound host overrides answer it with 192.168.1.2\nhosts:\n  - { name: cloud.example.org, backend: nextcloud }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const wan = site.firewall?.interfaces.find((i) => i.isWan);
        if (!site.upstream || !wan) continue;
        for (const frontend of site.haproxy.frontends) {
          if (frontend.interface !== wan.name || frontend.hosts.length === 0) continue;
          const names = frontend.hosts.map((h) => h.name).join(', ');
          const address = frontend.address !== '0.0.0.0' ? frontend.address : wan.address;
          const at = address ? `${address} (an address HAProxy listens on)` : "the WAN's address (HAProxy listens on every address)";
          report({
            path: frontend.path.concat('hosts'),
            message: `HAProxy frontend ${frontend.name}: clients inside that resolve ${names} get the upstream router's public address, and reach TCP ${frontend.port} only if the router does NAT hairpin`,
            hint: `Answer ${names} with ${at} on the resolver the clients inside use (on the firewall: Services › Unbound DNS › Overrides › Hosts) and let their zones reach TCP ${frontend.port} there, then silence this with '# gen-ignore upstream/hairpin: <where the names are answered>' on the frontend's hosts.`,
          });
        }
        for (const pf of site.firewall!.nat.portForwards) {
          if (!pf.reflection || pf.interface !== wan.name) continue;
          const at = wan.address ?? "the WAN's address";
          report({
            path: pf.path.concat('reflection'),
            message: `port forward ${pf.name} reflects connections to ${at}, but clients inside that use the site's public name get the upstream router's address, which the reflection does not match: they reach ${pf.proto.toUpperCase()} ${pf.port} only if the router does NAT hairpin`,
            hint: `Answer the forward's public name with ${at} on the resolver the clients inside use (on the firewall: Services › Unbound DNS › Overrides › Hosts), then silence this with '# gen-ignore upstream/hairpin: <where the name is answered>' on reflection.`,
          });
        }
      }
    },
  },
];
