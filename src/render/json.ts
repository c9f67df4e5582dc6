// Deterministic JSON: two-space indent, LF, final newline. Key order is the
// order the model builds objects in, which does not depend on the YAML's
// mapping order.
export function stableJson(value: unknown, replacer?: (key: string, value: unknown) => unknown): string {
  return `${JSON.stringify(value, replacer as ((this: unknown, key: string, value: unknown) => unknown) | undefined, 2)}\n`;
}
