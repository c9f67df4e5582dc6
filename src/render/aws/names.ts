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
  private readonly types = new Map<string, { byKey: Map<string, string>; used: Set<string>; nextSuffix: Map<string, number> }>();

  get(type: string, key: string): string {
    let names = this.types.get(type);
    if (!names) this.types.set(type, (names = { byKey: new Map(), used: new Set(), nextSuffix: new Map() }));
    const known = names.byKey.get(key);
    if (known) return known;
    const base = tfName(key);
    let id = base;
    if (names.used.has(id)) {
      // The lowest free suffix: identifiers are never given back, so every suffix below the last one handed out is taken.
      let n = names.nextSuffix.get(base) ?? 2;
      while (names.used.has((id = `${base}_${n}`))) n++;
      names.nextSuffix.set(base, n + 1);
    }
    names.byKey.set(key, id);
    names.used.add(id);
    return id;
  }
}
