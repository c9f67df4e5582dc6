// What a client file needs from the instance: without the instance's
// public key, a public endpoint or any network to reach, the generated
// files connect to nothing.
import { INTERFACE_NAME, clientFileStem, windowsRefusal } from '../targets/wireguard/names.js';
import { lanClientsOnWan } from '../resolve/firewall.js';
import { contains, parseAddressWithPrefix, parseIPv4 } from '../net.js';
import { blockedAsPrivate } from '../targets/opnsense/block-private.js';
import type { Path } from '../location.js';
import type { Rule } from './rule.js';
import { peersByKey } from '../resolve/wireguard-keys.js';
import { instancesWithClients } from './walk.js';

export const wireguardClientRules: Rule[] = [
  {
    id: 'wg/lan-endpoint-blocked',
    severity: 'error',
    summary: 'The WAN blocks private networks (block_private), but a WireGuard instance has a LAN endpoint: its -lan clients connect from private addresses.',
    why: "OPNsense's \"Block private networks\" rule on the WAN runs before every rule gen writes (priority 5, filter.lib.inc) and drops 10/8, 172.16/12, 192.168/16, 100.64/10, 127/8 and 169.254/16: the handshakes of the -lan client files, which come from the upstream router's LAN, never reach the WireGuard pass.",
    hint: 'Remove block_private: true from the WAN (gen leaves it off by default when an instance has a LAN endpoint), or remove lan_endpoint.',
    examples: [
      {
        where: 'sites[].firewall.interfaces[wan]',
        bad: 'block_private: true',
        good: 'block_private: false',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const wan = site.firewall?.interfaces.find((i) => i.isWan);
        if (!wan?.blockPrivate) continue;
        for (const instance of site.wireguard.filter((w) => lanClientsOnWan(site.firewall!.interfaces, w))) {
          report({
            path: wan.path.concat('block_private'),
            message: `the WAN blocks private networks, so the -lan clients of ${instance.name} (endpoint ${instance.lanEndpoint}) are dropped before the WireGuard pass`,
            related: [{ message: `${instance.name}'s LAN endpoint`, path: instance.path.concat('lan_endpoint') }],
          });
        }
      }
    },
  },
  {
    id: 'wg/lan-endpoint-address',
    severity: 'error',
    summary: "A WireGuard instance's lan_endpoint is not an address of the firewall: the upstream router, a Proxmox host, a public address or a tunnel address.",
    why:
      'The -lan client files are for clients on the upstream router\'s LAN, where the router does not hairpin: their handshakes must go to the firewall directly. ' +
      'A router that does not hairpin forwards UDP to the firewall only as it comes in on its WAN side, so a handshake sent to its LAN address or to the public address goes nowhere; ' +
      'another machine (a Proxmox host on the same LAN) has no WireGuard listening, and a tunnel address is reached only through the tunnel the file is to set up. ' +
      'The -lan files then never get a handshake.',
    hint: "Set lan_endpoint: true (the firewall's WAN address), or the firewall's own address on the clients' network.",
    examples: [
      {
        where: 'sites[].wireguard[wg0]',
        bad: 'lan_endpoint: 192.168.0.10',
        good: 'lan_endpoint: true',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const firewall = site.firewall;
        if (!firewall) continue;
        const own = firewall.interfaces.filter((i) => i.address !== undefined && i.prefix !== undefined);
        for (const instance of site.wireguard) {
          const endpoint = instance.lanEndpoint;
          const at = endpoint === undefined ? undefined : parseIPv4(endpoint);
          if (at === undefined || own.some((i) => i.address === endpoint)) continue;
          const owner = model.addresses.find((a) => a.address === at);
          const tunnel = site.wireguard.find((w) => contains(w.block, at));
          const network = own.find((i) => contains(parseAddressWithPrefix(`${i.address}/${i.prefix}`)!.block, at));
          const wan = firewall.interfaces.find((i) => i.isWan);
          let what: string | undefined;
          if (wan?.gateway === endpoint) what = "the upstream router's address (the WAN gateway)";
          else if (tunnel) what = `in the tunnel network of ${tunnel.name} (${tunnel.block.cidr}), reached only through a tunnel`;
          else if (owner) what = `the address of ${owner.owner}`;
          else if (network) what = `no address of the firewall: its address in ${network.name} is ${network.address}`;
          // A DHCP WAN's address is not known here: an address outside the firewall's networks may be it.
          else if (wan?.addressing === 'dhcp') what = undefined;
          else if (!blockedAsPrivate(endpoint!)) what = "a public address, which clients on the router's LAN reach only through NAT hairpin";
          else what = `no address of the firewall (${own.map((i) => i.address).join(', ')})`;
          if (what === undefined) continue;
          report({
            path: instance.path.concat('lan_endpoint'),
            message: `lan_endpoint ${endpoint} of ${instance.name} is ${what}, so the handshakes of its -lan clients never reach the firewall`,
            hint: wan?.address ? `Set lan_endpoint: true (the firewall's WAN address ${wan.address}), or the firewall's own address on the clients' network.` : undefined,
          });
        }
      }
    },
  },
  {
    id: 'wg/client-file-name',
    severity: 'error',
    summary: 'A client file name that wg-quick or a WireGuard app refuses: more than 15 characters, characters other than letters, digits and _=+.-, a device name Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9), or a "." at either end.',
    why: 'The file name without .conf becomes the tunnel name: wg-quick takes it as the interface name (at most 15 characters of [a-zA-Z0-9_=+.-]) and refuses the file otherwise, the Android app refuses to import it ("Invalid name"), and the Windows app refuses reserved device names and names that start or end with "." ("Tunnel name is not valid"; Windows cannot even save aux.conf). The -lan suffix and an instance prefix count too.',
    hint: 'Set tunnel_name on the peer to a shorter name (leave room for -lan and an instance prefix; gen wg add-peer takes it as --tunnel-name), or shorten the peer name.',
    examples: [
      {
        where: 'sites[].wireguard[].peers[laptop-john]',
        bad: 'name: john-thinkpad',
        good: 'name: john-thinkpad\ntunnel_name: john-tp',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const instancePrefix = site.wireguard.length > 1;
        for (const instance of site.wireguard) {
          // Indexed: a for-of steps an iterator per peer until V8 optimizes the loop (src/arrays.ts).
          for (let p = 0; p < instance.peers.length; p++) {
            const peer = instance.peers[p]!;
            if (!peer.enabled) continue;
            // The client file, and the one with the LAN endpoint: by count, not a list walked per peer.
            for (let l = 0; l < (instance.lanEndpoint !== undefined ? 2 : 1); l++) {
              const lan = l === 1;
              const stem = clientFileStem(instance.name, peer.tunnelName, { lan, instancePrefix });
              if (INTERFACE_NAME.test(stem)) {
                const windows = windowsRefusal(stem);
                if (windows) {
                  report({
                    path: peer.path.concat(peer.tunnelName !== peer.name ? 'tunnel_name' : 'name'),
                    message: `peer ${peer.name}: client file ${stem}.conf would not import in the WireGuard Windows app ("Tunnel name is not valid"): ${windows}`,
                    hint: `Set tunnel_name on peer ${peer.name} to another name${windows.includes('"."') ? ' that starts and ends with a letter or digit' : `, such as ${peer.tunnelName}-vpn`}.`,
                  });
                }
                continue;
              }
              const length = [...stem].length;
              // What the instance prefix and -lan leave of the 15 characters for the tunnel name.
              const room = 15 - (length - [...peer.tunnelName].length);
              const refused = [...new Set([...peer.tunnelName].filter((c) => !/[a-zA-Z0-9_=+.-]/.test(c)))];
              report({
                path: peer.path.concat(peer.tunnelName !== peer.name ? 'tunnel_name' : 'name'),
                message: `peer ${peer.name}: client file ${stem}.conf would not import, its name ${length > 15 ? `has ${length} characters (at most 15)` : 'has characters other than letters, digits and _=+.-'}`,
                hint: `Set tunnel_name on peer ${peer.name} to at most ${room} characters${refused.length ? `, without ${refused.join(' ')}` : ''} (${stem}.conf takes ${length - [...peer.tunnelName].length} more).`,
              });
            }
          }
        }
      }
    },
  },
  {
    id: 'wg/tunnel-name-across-sites',
    severity: 'warning',
    summary: 'One device (one public key) is a peer at two sites, and both client files give it the same tunnel name.',
    why:
      "A device takes a client file's name as its tunnel's name, and holds one tunnel of each name: the WireGuard apps refuse to import the second (\"Another tunnel already exists with the name …\" on Windows and macOS, \"A tunnel with that name already exists\" on iOS, \"Tunnel … already exists\" on Android), and wg-quick has one /etc/wireguard/NAME.conf. " +
      'names/same-file keeps the client files of one site apart; the two sites each write theirs in their own directory of out/, and the device meets them only when both are imported.',
    hint: "Set tunnel_name on the peer at one of the sites (e.g. the site's name and the device's, at most 15 characters with -lan and any instance prefix).",
    examples: [
      {
        where: 'sites[+]',
        bad: 'name: office\nwireguard:\n  - { name: wg0, listen_port: 51820, address: 10.20.1.1/24, endpoint: office.example.com, public_key: 0pCNLTTHI3oDk4uqNeTzC5+Ab5qJ6nxm37BJtxiUvWY=,\n      roles: [{ name: workstation, from: 10.20.1.2, to: 10.20.1.10 }],\n      peers: [{ name: laptop-john, role: workstation, address: 10.20.1.3, public_key: Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U= }] }',
        good: 'name: office\nwireguard:\n  - { name: wg0, listen_port: 51820, address: 10.20.1.1/24, endpoint: office.example.com, public_key: 0pCNLTTHI3oDk4uqNeTzC5+Ab5qJ6nxm37BJtxiUvWY=,\n      roles: [{ name: workstation, from: 10.20.1.2, to: 10.20.1.10 }],\n      peers: [{ name: laptop-john, tunnel_name: office-john, role: workstation, address: 10.20.1.3, public_key: Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U= }] }',
      },
    ],
    check(model, report) {
      if (model.sites.length < 2) return;
      for (const device of peersByKey(model).values()) {
        // The device's first enabled peer at each tunnel name: a peer meets only those of other sites.
        const seen = new Map<string, { site: string; instance: string; peer: string; stem: string; path: Path }>();
        for (const { site, instance, peer } of device) {
          if (!peer.enabled) continue;
          const instancePrefix = site.wireguard.length > 1;
          const stem = clientFileStem(instance.name, peer.tunnelName, { lan: false, instancePrefix });
          // Tunnel names compare without case: Windows and macOS file systems do not tell them apart either.
          const key = stem.toLowerCase();
          const earlier = seen.get(key);
          if (earlier === undefined) {
            seen.set(key, { site: site.name, instance: instance.name, peer: peer.name, stem, path: peer.path });
            continue;
          }
          if (earlier.site === site.name) continue;
          const files = instance.lanEndpoint !== undefined ? `${stem}.conf (and ${stem}-lan.conf)` : `${stem}.conf`;
          report({
            path: peer.path.concat(peer.tunnelName !== peer.name ? 'tunnel_name' : 'name'),
            message: `peer ${peer.name} of ${instance.name} at site ${site.name} is the device of peer ${earlier.peer} of ${earlier.instance} at site ${earlier.site} (the same public key), and both client files are ${files}: the device holds one tunnel of that name, and the WireGuard apps refuse to import the second`,
            related: [{ message: `peer ${earlier.peer} at site ${earlier.site}, client file ${earlier.stem}.conf`, path: earlier.path }],
            hint: `Set tunnel_name on peer ${peer.name} at site ${site.name}, e.g. ${suggestedTunnelName(site.name, peer.tunnelName, instancePrefix ? instance.name.length + 1 : 0, instance.lanEndpoint !== undefined)}.`,
          });
        }
      }
    },
  },
  {
    id: 'wg/instance-public-key',
    severity: 'warning',
    summary: 'A WireGuard instance with peers has no public_key.',
    why: "Every client file names the instance's public key; without it the files carry a placeholder and no handshake can happen.",
    hint: 'Run `gen wg keygen --instance NAME` (the private key goes to the secrets directory), or write the public_key the firewall shows.',
    examples: [
      {
        topology: 'homelab-family',
        context: [{ where: 'sites[].firewall.interfaces[+]', snippet: '{ name: guests, wireguard: wg1 }' }],
        where: 'sites[].wireguard[+]',
        bad: 'name: wg1\nlisten_port: 51821\naddress: 10.10.98.1/24\nendpoint: home.example.org\nroles: [{ name: guest, from: 10.10.98.2, to: 10.10.98.50 }]\npeers:\n  - { name: guest-phone, role: guest, address: 10.10.98.2, public_key: cm5P5UjJ0ig1O4on4iEnmYXyqiJEntnqb0GjG0GMsyc= }',
        good: 'name: wg1\nlisten_port: 51821\naddress: 10.10.98.1/24\npublic_key: HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=\nendpoint: home.example.org\nroles: [{ name: guest, from: 10.10.98.2, to: 10.10.98.50 }]\npeers:\n  - { name: guest-phone, role: guest, address: 10.10.98.2, public_key: cm5P5UjJ0ig1O4on4iEnmYXyqiJEntnqb0GjG0GMsyc= }',
      },
    ],
    check(model, report) {
      for (const instance of instancesWithClients(model)) {
        if (instance.publicKey === undefined) {
          report({ path: instance.path.concat('name'), message: `WireGuard instance ${instance.name} has peers but no public_key for their client files` });
        }
      }
    },
  },
  {
    id: 'wg/endpoint-missing',
    severity: 'warning',
    summary: 'A WireGuard instance with peers has no endpoint.',
    why: 'Road-warrior clients start the connection; without an Endpoint line in their file they never reach the firewall.',
    hint: 'Set endpoint to the public name or address of the firewall (and endpoint_port if the router maps another port).',
    examples: [
      {
        topology: 'homelab-family',
        context: [{ where: 'sites[].firewall.interfaces[+]', snippet: '{ name: guests, wireguard: wg1 }' }],
        where: 'sites[].wireguard[+]',
        bad: 'name: wg1\nlisten_port: 51821\naddress: 10.10.98.1/24\npublic_key: HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=\nroles: [{ name: guest, from: 10.10.98.2, to: 10.10.98.50 }]\npeers:\n  - { name: guest-phone, role: guest, address: 10.10.98.2, public_key: cm5P5UjJ0ig1O4on4iEnmYXyqiJEntnqb0GjG0GMsyc= }',
        good: 'name: wg1\nlisten_port: 51821\naddress: 10.10.98.1/24\npublic_key: HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=\nendpoint: home.example.org\nroles: [{ name: guest, from: 10.10.98.2, to: 10.10.98.50 }]\npeers:\n  - { name: guest-phone, role: guest, address: 10.10.98.2, public_key: cm5P5UjJ0ig1O4on4iEnmYXyqiJEntnqb0GjG0GMsyc= }',
      },
    ],
    check(model, report) {
      for (const instance of instancesWithClients(model)) {
        if (instance.endpoint === undefined) {
          report({ path: instance.path.concat('name'), message: `WireGuard instance ${instance.name} has peers but no endpoint for their client files` });
        }
      }
    },
  },
  {
    id: 'wg/reach-empty',
    severity: 'warning',
    summary: 'A WireGuard client may reach nothing at all.',
    why: 'No pass rule lets the peer (by its name, its role, its zone or the tunnel network) reach anything, so its client file gets no AllowedIPs: the tunnel comes up and carries nothing.',
    hint: 'Add a pass rule from the peer, its role (wg0/role) or a zone holding it or the tunnel network (or a reach list with matching rules).',
    examples: [
      {
        topology: 'homelab-family',
        context: [{ where: 'sites[].wireguard[].peers[+]', snippet: '{ name: aunt-nas, role: remote-site, address: 10.10.99.51, public_key: cm5P5UjJ0ig1O4on4iEnmYXyqiJEntnqb0GjG0GMsyc= }' }],
        where: 'sites[].policy.rules[nas-backup]',
        bad: '{ name: nas-backup, from: parents-nas, to: backup, action: pass }',
        good: '{ name: nas-backup, from: wg0/remote-site, to: backup, action: pass }',
      },
    ],
    check(model, report) {
      for (const instance of instancesWithClients(model)) {
        const clients = instance.peers.filter((p) => p.enabled);
        const empty = clients.filter((p) => p.allowedIps.length === 0);
        // One finding for the instance when no client reaches anything, else one per client.
        if (empty.length > 0 && empty.length === clients.length) {
          report({
            path: instance.path.concat('name'),
            message: `clients of ${instance.name} may reach nothing: no pass rule from the tunnel, its roles or its peers`,
            hint: `Add pass rules from ${instance.interface ?? 'the tunnel'} (every client of ${instance.name}), a role (${instance.name}/${instance.roles[0]?.name ?? 'role'}) or a zone holding them, to what the clients may reach.`,
          });
        } else {
          for (const peer of empty) {
            report({
              path: peer.path.concat('name'),
              message: `peer ${peer.name} of ${instance.name} may reach nothing: no pass rule from it, its role or a zone holding it`,
              hint: `Add a pass rule from ${peer.name} or its role ${instance.name}/${peer.role} (or a zone holding either) to what it may reach, or give it a role that has one.`,
            });
          }
        }
      }
    },
  },
];

/** A tunnel name of the site's name and the peer's, within the 15 characters a client file's stem may have. */
function suggestedTunnelName(site: string, tunnel: string, prefix: number, lan: boolean): string {
  const room = 15 - prefix - (lan ? '-lan'.length : 0);
  const name = `${site}-${tunnel}`.replace(/[^a-zA-Z0-9_=+.-]/g, '-');
  return name.length <= room ? name : name.slice(0, room).replace(/[-.]+$/, '');
}
