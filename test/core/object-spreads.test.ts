// No object literal in src/ starts with a spread and then names a property
// ({ ...shared, peer: name }). Node 20's V8 defines every property named
// after a leading spread through its runtime, one call each: a literal that
// spread 6 fields and named 9 more took 7 µs, and the context of each of
// 10,000 WireGuard client files was such a literal (two thirds of the time
// of writing them). Object.assign({}, shared, { peer: name }) makes the same
// object, keys in the same order, in a twentieth of the time. (Object.assign
// hands a key named __proto__ to its setter: gen's own objects and topology
// input have none, the schema closes every object; a user's package.json is
// copied with a spread and then set.) A spread elsewhere in a literal
// ({ kind, ...rest, path }) is not slowed.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { root, sourceFiles } from '../helpers.js';

/** Each object literal in `text` whose first member is a spread and that names a member after it, as line: text. */
function spreadThenNamed(text: string, name = 'file.ts'): string[] {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node)) {
      const [first, ...rest] = node.properties;
      if (first && ts.isSpreadAssignment(first) && rest.some((p) => !ts.isSpreadAssignment(p))) {
        found.push(`${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText().replace(/\s+/g, ' ').slice(0, 80)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('object literals in src/', () => {
  it('finds a literal that spreads and then names a property, and passes the other forms', () => {
    expect(spreadThenNamed('const a = { ...b, c: 1 };\nconst d = f({ ...g, h });\nconst i = { ...j, k() { return 1; } };')).toHaveLength(3);
    expect(spreadThenNamed('const a = { ...b };\nconst c = { ...d, ...e };\nconst f = { g, ...h, i: 1 };\nconst j = Object.assign({}, k, { l: 1 });')).toEqual([]);
    // Nested: the inner literal is found on its own.
    expect(spreadThenNamed('const a = { b: { ...c, d: 1 } };')).toEqual(['1: { ...c, d: 1 }']);
  });

  it('none starts with a spread and then names a property', () => {
    const found = sourceFiles().flatMap((file) => spreadThenNamed(readFileSync(file, 'utf8'), file).map((at) => `${relative(root, file)}:${at}`));
    expect(found).toEqual([]);
  });
});
