// Interface groups (/ifgroups): members by interface key.
import { type Area } from './context.js';
import { modelItem, modelSection } from './fields.js';

export const groupsArea: Area = {
  file: 'groups.xml',
  build(ctx) {
    const groups = ctx.firewall.groups;
    if (groups.length === 0) return [];
    const items = groups.map((group) =>
      modelItem(ctx, 'ifgroups', 'ifgroupentry', ctx.uuid('ifgroup', group.name), {
        ifname: group.name,
        members: group.members.map((m) => ctx.interfaceByName.get(m)?.key ?? m).join(','),
        nogroup: '0',
        sequence: '0',
        descr: group.description,
      }),
    );
    return modelSection(ctx, 'ifgroups', { ifgroupentry: items });
  },
};
