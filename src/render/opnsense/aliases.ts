// Firewall aliases (MVC //OPNsense/Firewall/Alias): every alias the compiled
// rules name, each named after the object it stands for (a peer, a role, a
// service, a network without an interface address of its own, a zone of
// several members as a destination), and the internal networks that an
// "internet" rule blocks before it passes.
import { type Area } from './context.js';
import { modelItem, modelSection } from './fields.js';
import { compilePolicy } from './policy.js';

export const aliasesArea: Area = {
  file: 'aliases.xml',
  build(ctx) {
    const { aliases } = compilePolicy(ctx);
    if (aliases.length === 0) return [];
    const items = aliases.map((alias) =>
      modelItem(ctx, 'alias', 'aliases.alias', ctx.uuid('alias', alias.name), {
        enabled: '1',
        name: alias.name,
        type: alias.type,
        proto: '',
        interface: '',
        counters: '0',
        updatefreq: '',
        // AliasContentField: one entry per line.
        content: alias.content.join('\n'),
        categories: '',
        description: alias.description,
      }),
    );
    return modelSection(ctx, 'alias', { aliases: { alias: items } });
  },
};
