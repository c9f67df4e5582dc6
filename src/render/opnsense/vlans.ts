// <vlans> (MVC model at a legacy path): parent device, tag, PCP and the
// vlan0.<tag> device that the interface assignment uses.
import { type Area, uuidAttr, versionAttr } from './context.js';
import { element, leaf } from './xml.js';

export const vlansArea: Area = {
  file: 'vlans.xml',
  build(ctx) {
    const vlans = ctx.firewall.interfaces.filter((i) => i.vlan);
    if (vlans.length === 0) return [];
    return [
      element(
        'vlans',
        vlans.map((iface) =>
          element(
            'vlan',
            [
              leaf('if', iface.vlan!.parentDevice),
              leaf('tag', iface.vlan!.tag),
              leaf('pcp', iface.vlan!.pcp),
              leaf('proto', ''),
              leaf('descr', iface.description),
              leaf('vlanif', iface.device),
            ],
            uuidAttr(ctx.uuid('vlan', iface.name)),
          ),
        ),
        versionAttr(ctx.version('vlans')),
      ),
    ];
  },
};
