// The box's own interface groups that share a name with one of gen's.
import { isGenUuid } from '../render/opnsense/ids.js';
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';

const members = (group: XmlElement) => fieldList(group, 'members');

/**
 * A group name is unique on the box (Group.xml's UniqueConstraint), so
 * gen's group takes over the box's own of that name. When the box's has
 * members gen's does not list, gen cannot know whether they belong there:
 * taking over would drop them silently, and the box's rules on the group
 * would then cover other interfaces. Refused; a group of an earlier merge
 * (gen's UUID) is gen's to change.
 */
export function groupRefusals(root: XmlElement, sections: readonly XmlElement[]): string[] {
  const genGroups = new Map(sections.flatMap((s) => childrenNamed(child(s, 'ifgroups') ?? (s.name === 'ifgroups' ? s : undefined), 'ifgroupentry')).map((g) => [fieldText(g, 'ifname'), g]));
  const refusals: string[] = [];
  for (const box of childrenNamed(child(root, 'ifgroups'), 'ifgroupentry')) {
    const gen = genGroups.get(fieldText(box, 'ifname'));
    if (!gen || isGenUuid(attr(box, 'uuid'))) continue;
    const listed = new Set(members(gen));
    const dropped = members(box).filter((m) => !listed.has(m));
    if (dropped.length === 0) continue;
    const descr = fieldText(box, 'descr');
    refusals.push(
      `the base has an interface group ${fieldText(box, 'ifname')}${descr ? ` (${descr})` : ''} of ${members(box).join(', ')}, and the topology's group of that name has ${members(gen).join(', ')}: ` +
        `a merge would take ${dropped.join(', ')} out of it, and the box's rules on the group would apply to other interfaces; rename one of the groups (the topology's in firewall.groups), or take those members out of the box's group (Firewall › Groups)`,
    );
  }
  return refusals;
}
