// Unbound host overrides (Services › Unbound DNS › Overrides): HAProxy's host
// names answered inside with the address HAProxy listens on, behind the
// upstream router (resolve/split-dns.ts says which names and why).
// Only <OPNsense><unboundplus><hosts>, and the root without a version: the
// factory config has Unbound's switch in the legacy <unbound><enable>, which
// the model's migration 1.0.5 moves into general.enabled (opnsense/core
// Unbound/Migrations/M1_0_5.php). A root with the model's version would skip
// that migration and leave Unbound, the site's resolver, disabled; an
// unversioned one is migrated from 0.0.0 on restore, as a box's first boot
// does (BaseModel: no version attribute counts as 0.0.0). Every other
// setting stays the model's default or the box's own.
import { splitDns } from '../../resolve/split-dns.js';
import { fieldNode } from '../../targets/opnsense/field-types.js';
import { type Area } from './context.js';
import { type FieldValues, modelItem } from './fields.js';
import { element } from './xml.js';

export const unboundArea: Area = {
  file: 'unbound.xml',
  build(ctx) {
    const { overrides } = splitDns(ctx.site);
    if (overrides.length === 0) return [];
    const fields = ctx.release.fields('unbound');
    // No PTR record (26.1.3 on: addptr, default on): the address is the firewall's, shared by every name.
    const ptr: FieldValues = fields && fieldNode(fields, 'hosts.host.addptr') !== undefined ? { addptr: '0' } : {};
    const hosts = overrides.map((o) => {
      const values: FieldValues = {
        enabled: '1',
        hostname: o.hostname,
        domain: o.domain,
        rr: 'A',
        server: o.address,
        description: `HAProxy frontend ${o.frontend.name}: answered inside with the address HAProxy listens on`,
      };
      return modelItem(ctx, 'unbound', 'hosts.host', ctx.uuid('unbound-host', o.name), Object.assign(values, ptr));
    });
    return [element('OPNsense', [element('unboundplus', [element('hosts', hosts)])])];
  },
};
