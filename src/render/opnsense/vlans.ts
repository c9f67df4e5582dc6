// <vlans> (MVC model at a legacy path): parent device, tag, PCP and the
// vlan0.<tag> device that the interface assignment uses.
import { type Area } from './context.js';
import { modelItem, modelSection } from './fields.js';

export const vlansArea: Area = {
  file: 'vlans.xml',
  build(ctx) {
    const vlans = ctx.firewall.interfaces.filter((i) => i.vlan);
    if (vlans.length === 0) return [];
    const items = vlans.map((iface) =>
      modelItem(ctx, 'vlans', 'vlan', ctx.uuid('vlan', iface.name), {
        if: iface.vlan!.parentDevice,
        tag: iface.vlan!.tag,
        pcp: iface.vlan!.pcp,
        proto: '',
        descr: iface.description,
        vlanif: iface.device,
      }),
    );
    return modelSection(ctx, 'vlans', { vlan: items });
  },
};
