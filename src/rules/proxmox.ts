// Proxmox bridge settings that ifupdown2 cannot carry out as written.
import { TEMPLATE_CHARACTERS } from '../targets/proxmox/interfaces.js';
import type { Rule } from './rule.js';
import { bridges } from './walk.js';

export const proxmoxRules: Rule[] = [
  {
    id: 'proxmox/description-text',
    severity: 'error',
    summary: 'A bridge description has "$", "%" or "\\", which ifupdown2 would read as template code.',
    why: "ifupdown2 runs /etc/network/interfaces through the Mako template engine first (template_enable=1 by default): ${...} in a comment is evaluated as Python, and a line starting with % is a control line.",
    hint: 'Leave "$", "%" and "\\" out of bridge descriptions.',
    check(model, report) {
      for (const { bridge } of bridges(model)) {
        if (bridge.description !== undefined && TEMPLATE_CHARACTERS.test(bridge.description)) {
          report({ path: [...bridge.path, 'description'], message: `bridge ${bridge.name}: description "${bridge.description}" would be read as template code by ifupdown2` });
        }
      }
    },
  },
  {
    id: 'proxmox/port-in-two-bridges',
    severity: 'error',
    summary: 'A port is enslaved to two bridges of one host.',
    why: 'A device can be the port of one bridge only: ifupdown2 stops with "bridge port is enslaved to multiple interfaces" and neither bridge gets it reliably.',
    hint: 'Keep the port on one bridge; carry several networks on it as VLANs of a VLAN-aware bridge.',
    check(model, report) {
      for (const site of model.sites) {
        for (const host of site.hosts) {
          const owner = new Map<string, string>();
          for (const bridge of host.bridges) {
            bridge.ports.forEach((port, i) => {
              const first = owner.get(port);
              if (first === undefined) owner.set(port, bridge.name);
              else report({ path: [...bridge.path, 'ports', i], message: `port ${port} of bridge ${bridge.name} is already a port of bridge ${first}` });
            });
          }
        }
      }
    },
  },
  {
    id: 'proxmox/vids-without-vlan-aware',
    severity: 'warning',
    summary: 'A bridge lists vids but is explicitly not VLAN aware.',
    why: 'bridge-vids only act on a VLAN-aware bridge, so gen leaves them out of the file: the VLANs written in the topology are carried nowhere.',
    hint: 'Set vlan_aware: true, or remove vids.',
    check(model, report) {
      for (const { bridge } of bridges(model)) {
        if (bridge.vidsExplicit && !bridge.vlanAware) report({ path: [...bridge.path, 'vids'], key: true, message: `bridge ${bridge.name} has vids but vlan_aware: false` });
      }
    },
  },
  {
    id: 'proxmox/bridge-mtu-without-ports',
    severity: 'warning',
    summary: 'A bridge without ports has an MTU.',
    why: 'A Linux bridge takes its MTU from its ports, so gen writes the MTU on them; ifupdown2 refuses an MTU on the bridge itself, and a bridge without ports has nowhere to put it.',
    hint: "Set the MTU on the guests' network devices, or give the bridge a port.",
    check(model, report) {
      for (const { bridge } of bridges(model)) {
        if (bridge.mtu !== undefined && bridge.ports.length === 0) {
          report({ path: [...bridge.path, 'mtu'], message: `bridge ${bridge.name} has no ports to carry its MTU ${bridge.mtu}` });
        }
      }
    },
  },
];
