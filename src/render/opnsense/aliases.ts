// Firewall aliases (MVC //OPNsense/Firewall/Alias): every alias the compiled
// rules name, each named after the object it stands for (a peer, a role, a
// service, a network without an interface address of its own), and the
// internal networks that an "internet" rule blocks before it passes.
import { type Area, uuidAttr, versionAttr } from './context.js';
import { compilePolicy } from './policy.js';
import { element, leaf } from './xml.js';

export const aliasesArea: Area = {
  file: 'aliases.xml',
  build(ctx) {
    const { aliases } = compilePolicy(ctx);
    if (aliases.length === 0) return [];
    return [
      element('OPNsense', [
        element('Firewall', [
          element(
            'Alias',
            [
              element(
                'aliases',
                aliases.map((alias) =>
                  element(
                    'alias',
                    [
                      leaf('enabled', '1'),
                      leaf('name', alias.name),
                      leaf('type', alias.type),
                      leaf('proto', ''),
                      leaf('interface', ''),
                      leaf('counters', '0'),
                      leaf('updatefreq', ''),
                      // AliasContentField: one entry per line.
                      leaf('content', alias.content.join('\n')),
                      leaf('categories', ''),
                      leaf('description', alias.description),
                    ],
                    uuidAttr(ctx.uuid('alias', alias.name)),
                  ),
                ),
              ),
            ],
            versionAttr(ctx.version('alias')),
          ),
        ]),
      ]),
    ];
  },
};
