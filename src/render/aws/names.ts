// Terraform resource names derived from topology names. Topology names may
// hold '.', which an HCL identifier may not, and may start with a digit.
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
  private readonly taken = new Map<string, Map<string, string>>();

  get(type: string, key: string): string {
    let byKey = this.taken.get(type);
    if (!byKey) this.taken.set(type, (byKey = new Map()));
    const known = byKey.get(key);
    if (known) return known;
    const used = new Set(byKey.values());
    const base = tfName(key);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    byKey.set(key, id);
    return id;
  }
}
