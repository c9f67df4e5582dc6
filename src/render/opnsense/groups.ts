// Interface groups (/ifgroups): members by interface key.
import { type Area, uuidAttr, versionAttr } from './context.js';
import { element, leaf } from './xml.js';

export const groupsArea: Area = {
  file: 'groups.xml',
  build(ctx) {
    const groups = ctx.firewall.groups;
    if (groups.length === 0) return [];
    return [
      element(
        'ifgroups',
        groups.map((group) =>
          element(
            'ifgroupentry',
            [
              leaf('ifname', group.name),
              leaf('members', group.members.map((m) => ctx.interfaceByName.get(m)?.key ?? m).join(',')),
              leaf('nogroup', '0'),
              leaf('sequence', '0'),
              leaf('descr', group.description),
            ],
            uuidAttr(ctx.uuid('ifgroup', group.name)),
          ),
        ),
        versionAttr(ctx.version('ifgroups')),
      ),
    ];
  },
};
