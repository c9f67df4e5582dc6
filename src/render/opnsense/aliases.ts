// Firewall aliases (MVC //OPNsense/Firewall/Alias): the internal networks
// that an "internet" rule blocks before it passes.
import { type Area, uuidAttr, versionAttr } from './context.js';
import { INTERNAL_ALIAS, needsInternalAlias } from './policy.js';
import { element, leaf } from './xml.js';

export const aliasesArea: Area = {
  file: 'aliases.xml',
  build(ctx) {
    if (!needsInternalAlias(ctx)) return [];
    const cidrs = ctx.site.internalNetworks.map((id) => ctx.networkById.get(id)?.cidr).filter((c): c is string => c !== undefined);
    return [
      element('OPNsense', [
        element('Firewall', [
          element(
            'Alias',
            [
              element('aliases', [
                element(
                  'alias',
                  [
                    leaf('enabled', '1'),
                    leaf('name', INTERNAL_ALIAS),
                    leaf('type', 'network'),
                    leaf('proto', ''),
                    leaf('interface', ''),
                    leaf('counters', '0'),
                    leaf('updatefreq', ''),
                    // AliasContentField: one entry per line.
                    leaf('content', cidrs.join('\n')),
                    leaf('categories', ''),
                    leaf('description', `gen: internal networks of site ${ctx.site.name}`),
                  ],
                  uuidAttr(ctx.uuid('alias', INTERNAL_ALIAS)),
                ),
              ]),
            ],
            versionAttr(ctx.version('alias')),
          ),
        ]),
      ]),
    ];
  },
};
