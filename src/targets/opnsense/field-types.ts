// The shape of the field tables in fields/ (generated from OPNsense's own
// model files by scripts/opnsense-fields.mjs): each model gen writes, its
// version, its place in config.xml and every field it stores, in the
// model's order, with the model's default.

/** The OPNsense models gen writes, by gen's name for them. */
export type ModelName =
  | 'wireguardGeneral'
  | 'wireguardServer'
  | 'wireguardClient'
  | 'alias'
  | 'ifgroups'
  | 'vlans'
  | 'gateways'
  | 'staticroutes'
  | 'dnsmasq'
  | 'haproxy'
  | 'acme'
  | 'filter'
  | 'dnat'
  | 'cert'
  | 'cron'
  | 'unbound';

/** A leaf's default (text), a container's fields, or an array field's item fields. */
export type FieldNode = string | FieldTree | { readonly item: FieldTree };
export type FieldTree = readonly (readonly [string, FieldNode])[];

export interface ModelFields {
  version: string;
  /** Where the model's root sits under <opnsense> (a legacy mapper such as /nat/rule+ sits at its parent). */
  path: readonly string[];
  /** A legacy mapper (mount ending in "+"): config.xml carries no version attribute for it. */
  mapper?: boolean;
  items: FieldTree;
  /** The options of a few OptionFields, by dotted path ("validations.validation.dns_service"): [value, the label OPNsense shows], in the model's order. */
  choices?: Readonly<Record<string, readonly (readonly [string, string])[]>>;
  /**
   * For an option whose dialog shows other fields for each of its values
   * (the ACME client's Challenge Types dialog, by DNS service), by the
   * option's dotted path: each value's sections, [header, labels of its
   * fields], as the dialog shows them (from the release's form file).
   */
  dialog?: Readonly<Record<string, Readonly<Record<string, readonly (readonly [string, readonly string[]])[]>>>>;
}

export type ModelFieldSet = Partial<Record<ModelName, ModelFields>>;

/** The node at a dotted path of a model ("frontends.frontend", "general"). */
export function fieldNode(model: ModelFields, path: string): FieldNode | undefined {
  let node: FieldNode = model.items;
  for (const part of path.split('.')) {
    const tree: FieldTree | undefined = Array.isArray(node) ? (node as FieldTree) : typeof node === 'object' ? (node as { item: FieldTree }).item : undefined;
    const next: readonly [string, FieldNode] | undefined = tree?.find(([name]) => name === part);
    if (!next) return undefined;
    node = next[1];
  }
  return node;
}
