// Firewall rules: VLAN tags, OPNsense interface descriptions, port ranges.
import type { Path } from '../location.js';
import { portRangeRefusal } from '../targets/opnsense/ports.js';
import { VLAN_ID_MAX, VLAN_ID_MIN } from '../targets/vlan.js';
import type { Rule, RuleReport } from './rule.js';

/**
 * Reports a range "from-to" that is reversed or outside 1-max, and with `opnsense` one OPNsense refuses
 * (portRangeRefusal()); `path` is made only then (200,000 rules' ports made a path each).
 */
function checkPortRange(text: string, path: () => Path, report: RuleReport, max = 65535, opnsense = false): void {
  const match = /^(\d+)-(\d+)$/.exec(text);
  if (!match) return;
  const from = Number(match[1]);
  const to = Number(match[2]);
  const outside = from < 1 || to > max || from > to;
  if (outside) report({ path: path(), message: `"${text}" is not a range within 1-${max} with its start before its end` });
  const refusal = opnsense ? portRangeRefusal(match[1]!, match[2]!) : undefined;
  if (refusal === 'leading-zero') {
    report({ path: path(), message: `"${text}" writes a port with a leading zero: OPNsense maps no such port and disables the rule; write it "${from === to ? from : `${from}-${to}`}"` });
  } else if (refusal === 'one-port' && !outside) {
    report({ path: path(), message: `"${text}" is a range of one port, which OPNsense's port field refuses (a range's start must be below its end): write it ${from}` });
  }
}

export const firewallRules: Rule[] = [
  {
    id: 'vlan/tag-range',
    severity: 'error',
    summary: 'A VLAN tag is outside 1-4094.',
    why: '0 and 4095 are reserved by 802.1Q; switches and OPNsense refuse them.',
    hint: 'Use a tag from 1 to 4094.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].firewall.interfaces[vpssvc]',
        bad: 'vlan: { parent: lan, tag: 4095 }',
        good: 'vlan: { parent: lan, tag: 30 }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const iface of site.firewall?.interfaces ?? []) {
          if (iface.vlan && (iface.vlan.tag < VLAN_ID_MIN || iface.vlan.tag > VLAN_ID_MAX)) {
            report({ path: iface.path.concat('vlan', 'tag'), message: `VLAN ${iface.name}: tag ${iface.vlan.tag} is outside 1-4094` });
          }
        }
        for (const host of site.hosts) {
          for (const bridge of host.bridges) {
            if (!bridge.vidsExplicit) continue;
            bridge.vids.forEach((vid, i) => {
              const path = bridge.path.concat('vids', i);
              if (/^\d+$/.test(vid) && (Number(vid) < VLAN_ID_MIN || Number(vid) > VLAN_ID_MAX)) report({ path, message: `bridge ${bridge.name}: VLAN id ${vid} is outside 1-4094` });
              else checkPortRange(vid, () => path, report, VLAN_ID_MAX);
            });
          }
        }
      }
    },
  },
  {
    id: 'vlan/duplicate-tag',
    severity: 'error',
    summary: 'Two VLANs use the same tag on one parent interface.',
    why: 'The second VLAN cannot be created; traffic of both would mix.',
    hint: 'Give each VLAN on a parent its own tag.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].firewall.interfaces[websvc]',
        bad: 'vlan: { parent: lan, tag: 10 }',
        good: 'vlan: { parent: lan, tag: 20 }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const seen = new Map<string, { name: string; path: Path }>();
        for (const iface of site.firewall?.interfaces ?? []) {
          if (!iface.vlan) continue;
          const key = `${iface.vlan.parent}/${iface.vlan.tag}`;
          const earlier = seen.get(key);
          if (earlier) {
            report({
              path: iface.path.concat('vlan', 'tag'),
              message: `VLAN ${iface.name}: tag ${iface.vlan.tag} is already used on ${iface.vlan.parent} by ${earlier.name}`,
              related: [{ message: `${earlier.name} uses it here`, path: earlier.path }],
            });
          } else {
            seen.set(key, { name: iface.name, path: iface.path.concat('vlan', 'tag') });
          }
        }
      }
    },
  },
  {
    id: 'vlan/parent-device',
    severity: 'error',
    summary: "A VLAN's parent is not a device interface (it is a VLAN or a WireGuard tunnel).",
    why: "OPNsense tags a VLAN on a device (Interfaces/Vlan.xml requires the parent's device name): gen would write the VLAN with an empty parent, which OPNsense's validation refuses and ifconfig cannot create, so the interface would carry nothing. A VLAN in a VLAN (QinQ) is a qinq device of its own in OPNsense, which gen does not write.",
    hint: 'Make the parent an interface with device: (e.g. lan on vtnet1), and give the VLAN a tag of its own there.',
    examples: [
      {
        where: 'sites[].firewall.interfaces[+]',
        bad: '{ name: lab, assign: opt9, vlan: { parent: wireguard, tag: 40 }, address: 10.40.0.1/24 }',
        good: '{ name: lab, assign: opt9, vlan: { parent: management, tag: 40 }, address: 10.40.0.1/24 }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const interfaces = site.firewall?.interfaces ?? [];
        const byName = new Map(interfaces.map((i) => [i.name, i]));
        for (const iface of interfaces) {
          if (!iface.vlan) continue;
          const parent = byName.get(iface.vlan.parent);
          if (parent && parent.kind !== 'device') {
            // A VLAN naming itself is the same mistake, but "its parent lab is a VLAN" reads as if lab were another interface.
            const self = parent === iface;
            report({
              path: iface.path.concat('vlan', 'parent'),
              message: self
                ? `VLAN ${iface.name} names itself as its parent: a VLAN is tagged on a device interface`
                : `VLAN ${iface.name}: its parent ${parent.name} is a ${parent.kind === 'vlan' ? 'VLAN' : 'WireGuard tunnel'}, not a device interface`,
              related: self ? undefined : [{ message: `${parent.name} is declared here`, path: parent.path }],
            });
          }
        }
      }
    },
  },
  {
    id: 'opnsense/interface-description',
    severity: 'error',
    summary: 'An OPNsense interface description has characters other than letters, digits and "_".',
    why: 'OPNsense strips everything else from interface descriptions, so the name in the GUI would differ from the topology.',
    hint: 'Use only A-Z, a-z, 0-9 and _ (e.g. "Service_Net"), or leave description out to derive it from the name.',
    examples: [
      {
        where: 'sites[].firewall.interfaces[service]',
        bad: 'name: service\ndescription: Service Net',
        good: 'name: service\ndescription: Service_Net',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const iface of site.firewall?.interfaces ?? []) {
          if (!/^[A-Za-z0-9_]{1,64}$/.test(iface.description)) {
            report({ path: iface.path.concat('description'), message: `interface ${iface.name}: description "${iface.description}" is not [A-Za-z0-9_]` });
          }
        }
      }
    },
  },
  {
    id: 'ports/range',
    severity: 'error',
    summary: 'A port range is reversed, outside 1-65535, of one port, or written with a leading zero.',
    why: 'A reversed range matches nothing; tools reject out-of-range ports; OPNsense disables a rule whose port has a leading zero, and its rule model refuses a range of one port.',
    hint: 'Write ranges as "low-high" within 1-65535, low below high, without leading zeros; one port as a number.',
    examples: [
      {
        where: 'sites[].policy.rules[vpn-to-service]',
        bad: '{ name: vpn-to-service, from: vpn, to: service, proto: tcp, ports: ["8080-80"], action: pass }',
        good: '{ name: vpn-to-service, from: vpn, to: service, proto: tcp, ports: ["80-8080"], action: pass }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        // Indexed: a for-of steps an iterator per rule until V8 optimizes the loop (src/arrays.ts).
        for (let r = 0; r < site.policy.rules.length; r++) {
          const rule = site.policy.rules[r]!;
          // A single port is no range: most rules' ports need no look.
          for (let i = 0; i < rule.ports.length; i++) {
            if (!rule.ports[i]!.includes('-')) continue;
            checkPortRange(rule.ports[i]!, () => rule.path.concat('ports', i), report, 65535, true);
          }
        }
        for (const pf of site.firewall?.nat.portForwards ?? []) {
          checkPortRange(pf.port, () => pf.path.concat('port'), report, 65535, true);
        }
      }
      for (const group of model.aws?.vpc?.securityGroups ?? []) {
        for (const rule of [...group.ingress, ...group.egress]) {
          rule.ports.forEach((range, i) => {
            if (range.from !== range.to) checkPortRange(`${range.from}-${range.to}`, () => rule.path.concat('ports', i), report);
          });
        }
      }
    },
  },
];
