// Proxmox bridge settings that ifupdown2 cannot carry out as written.
import type { Rule } from './rule.js';

export const proxmoxRules: Rule[] = [
  {
    id: 'proxmox/description-text',
    severity: 'error',
    summary: 'A bridge description has "$", "%" or "\\", which ifupdown2 would read as template code.',
    why: "ifupdown2 runs /etc/network/interfaces through the Mako template engine first (template_enable=1 by default): ${...} in a comment is evaluated as Python, and a line starting with % is a control line.",
    hint: 'Leave "$", "%" and "\\" out of bridge descriptions.',
    check(model, report) {
      for (const site of model.sites) {
        for (const host of site.hosts) {
          for (const bridge of host.bridges) {
            if (bridge.description !== undefined && /[$%\\]/.test(bridge.description)) {
              report({ path: [...bridge.path, 'description'], message: `bridge ${bridge.name}: description "${bridge.description}" would be read as template code by ifupdown2` });
            }
          }
        }
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
      for (const site of model.sites) {
        for (const host of site.hosts) {
          for (const bridge of host.bridges) {
            if (bridge.mtu !== undefined && bridge.ports.length === 0) {
              report({ path: [...bridge.path, 'mtu'], message: `bridge ${bridge.name} has no ports to carry its MTU ${bridge.mtu}` });
            }
          }
        }
      }
    },
  },
];
