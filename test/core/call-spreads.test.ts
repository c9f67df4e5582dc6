// No call in src/ spreads an array into its arguments: V8 passes each item
// as an argument on the stack, and past about 120,000 items the call throws
// "Maximum call stack size exceeded". Arrays built from a topology reach
// that (150,000 NAT port forwards fit in an 11 MB file, under the default
// input limit, and once crashed the resolve stage this way). Appending
// goes through appendAll (src/arrays.ts); extremes through a loop.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { appendAll } from '../../src/arrays.js';
import { root, sourceFiles } from '../helpers.js';

/** Each spread argument of a call or `new` in the file, as file:line. */
function callSpreads(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments?.some(ts.isSpreadElement)) {
      found.push(`${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText().slice(0, 80)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Each array literal in the file that spreads a path and adds to it
 * (`[...path, 'rules', i]`), as file:line. V8 builds such a literal by
 * appending, leaving room for about 16 more items: the model's 70,000 paths
 * (10,000 peers) took 241 bytes each where path.concat('rules', i), sized
 * exactly, takes about 100, and all of them live as long as the model.
 */
function pathSpreads(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isArrayLiteralExpression(node) && node.elements.length > 1) {
      const first = node.elements[0]!;
      if (ts.isSpreadElement(first) && /path!?\)?$/i.test(first.expression.getText())) {
        found.push(`${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText().slice(0, 80)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('paths of the model', () => {
  it('are extended with concat, not spread into a new literal', () => {
    expect(sourceFiles().flatMap(pathSpreads)).toEqual([]);
  });
});

describe('arrays of any length', () => {
  it('no call in src/ spreads an array into its arguments', () => {
    expect(sourceFiles().flatMap(callSpreads)).toEqual([]);
  });

  it('appendAll takes more items than a call can take arguments', () => {
    const items = Array.from({ length: 300_000 }, (_, i) => i);
    const target = [-1];
    expect(() => target.push(...items)).toThrow(RangeError);
    expect(appendAll(target, items)).toBe(target);
    expect(target).toHaveLength(300_001);
    expect(target[300_000]).toBe(299_999);
  });
});
