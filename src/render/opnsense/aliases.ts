// Firewall aliases (MVC //OPNsense/Firewall/Alias): the internal networks
// that an "internet" rule blocks before it passes.
import { type Area } from './context.js';
import { modelItem, modelSection } from './fields.js';
import { INTERNAL_ALIAS, needsInternalAlias } from './policy.js';

export const aliasesArea: Area = {
  file: 'aliases.xml',
  build(ctx) {
    if (!needsInternalAlias(ctx)) return [];
    const cidrs = ctx.site.internalNetworks.map((id) => ctx.networkById.get(id)?.cidr).filter((c): c is string => c !== undefined);
    const alias = modelItem(ctx, 'alias', 'aliases.alias', ctx.uuid('alias', INTERNAL_ALIAS), {
      enabled: '1',
      name: INTERNAL_ALIAS,
      type: 'network',
      proto: '',
      interface: '',
      counters: '0',
      updatefreq: '',
      // AliasContentField: one entry per line.
      content: cidrs.join('\n'),
      categories: '',
      description: `gen: internal networks of site ${ctx.site.name}`,
    });
    return modelSection(ctx, 'alias', { aliases: { alias: [alias] } });
  },
};
