// Precompiles schema/topology.schema.json into a standalone validator module
// so that `gen` does not load or compile ajv at start-up.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'));
const ajv = new Ajv2020.default({
  allErrors: true,
  strict: true,
  unicodeRegExp: true,
  verbose: true,
  code: { source: true, esm: true, lines: false },
});
const validate = ajv.compile(schema);
const out = join(root, 'dist/schema-validator.js');
mkdirSync(dirname(out), { recursive: true });
// ajv's standalone output still require()s its code-point counter, which an
// ES module cannot do: inline the same function.
let code = standaloneCode.default(ajv, validate).replaceAll(
  'require("ajv/dist/runtime/ucs2length").default',
  '((s) => [...s].length)',
);
if (/\brequire\(/.test(code)) throw new Error('compiled validator still needs require(): inline it');
writeFileSync(out, `// Generated from schema/topology.schema.json by scripts/compile-schema.mjs.\n${code}\n`);
