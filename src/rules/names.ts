// Names must be unique where they are used as references or become
// identifiers in generated files.
import type { Rule } from './rule.js';

export const nameRules: Rule[] = [
  {
    id: 'names/duplicate',
    severity: 'error',
    summary: 'Two things of the same kind share a name in one scope (peers, zones, interfaces, subnets, groups...).',
    why: 'Names are references and become file names, UUIDs and Terraform identifiers: a duplicate makes one of the two vanish.',
    hint: 'Rename one of them.',
    examples: [
      {
        where: 'sites[].wireguard[].peers[+]',
        bad: '{ name: laptop-john, role: workstation, address: 10.0.1.4, public_key: eajhiClqdn4DDwQW29Ru4kFkNJxNiADHeD5oQ0BLmD4= }',
        good: '{ name: laptop-jane, role: workstation, address: 10.0.1.4, public_key: eajhiClqdn4DDwQW29Ru4kFkNJxNiADHeD5oQ0BLmD4= }',
      },
    ],
    check(model, report) {
      const first = new Map<string, (typeof model.names)[number]>();
      for (const thing of model.names) {
        const key = `${thing.kind}\u0000${thing.scope}\u0000${thing.name}`;
        const earlier = first.get(key);
        if (!earlier) {
          first.set(key, thing);
          continue;
        }
        report({
          path: thing.path,
          message: `${thing.kind} "${thing.name}" is declared twice in ${thing.scope}`,
          related: [{ message: `first declared here`, path: earlier.path }],
        });
      }
    },
  },
];
