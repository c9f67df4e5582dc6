// Terraform resource names derived from topology names. Topology names may
// hold '.', which an HCL identifier may not, and may start with a digit.
import { UniqueNames } from '../../unique-names.js';

export function tfName(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}

/**
 * Hands out identifiers unique within one resource type: two topology names
 * that map to the same identifier ("a.b", "a_b") get numbered suffixes in
 * the order they are asked for, which is the topology's order.
 */
export class TfNames {
  private readonly types = new Map<string, { byKey: Map<string, string>; ids: UniqueNames }>();

  get(type: string, key: string): string {
    let names = this.types.get(type);
    if (!names) this.types.set(type, (names = { byKey: new Map(), ids: new UniqueNames('_') }));
    let id = names.byKey.get(key);
    if (id === undefined) names.byKey.set(key, (id = names.ids.take(tfName(key))));
    return id;
  }
}
