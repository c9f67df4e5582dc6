// A js-yaml schema that resolves plain scalars exactly as the `yaml`
// library's YAML 1.2 core schema does. The loader reads data with js-yaml
// (about ten times faster) and positions and comments with `yaml`; the two
// must never see different data in one file. js-yaml's own CORE_SCHEMA is
// close but not equal: it reads `0b101`, `+0x1` and `0_7` as numbers and
// `-.5` as a string, and accepts `!!float 1`. These tests and
// resolvers are the `yaml` library's (schema/core/*.js, schema/common/null.js).
// An explicit tag outside these (`!!binary`, `!!set`, …) is unknown here,
// so js-yaml refuses the file and the loader lets `yaml` decide it.
import { FAILSAFE_SCHEMA, type Schema, Type } from 'js-yaml';

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_DEC = /^[-+]?[0-9]+$/;
const INT_OCT = /^0o[0-7]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

const text = (data: unknown): string => (data === null || data === undefined ? '' : String(data));

/**
 * Whether `s` starts with a digit, + or - (with `dot`, or a full stop): what
 * every int and float pattern needs. js-yaml asks all four types about every
 * plain scalar, and most of a topology's scalars (names, addresses, keys)
 * can be few of them: each resolver tests what its patterns need of the
 * first character or the length before it tests the patterns.
 */
function numberStart(s: string, dot: boolean): boolean {
  const c = s.charCodeAt(0);
  return (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || (dot && c === 0x2e);
}

const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data) => {
    const s = text(data);
    return s.length <= 4 && NULL.test(s);
  },
  construct: () => null,
  predicate: (value) => value === null,
});

const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data) => {
    const s = text(data);
    return (s.length === 4 || s.length === 5) && BOOL.test(s);
  },
  construct: (data) => /^[tT]/.test(text(data)),
  predicate: (value) => typeof value === 'boolean',
});

const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data) => {
    const s = text(data);
    return numberStart(s, false) && (INT_DEC.test(s) || INT_OCT.test(s) || INT_HEX.test(s));
  },
  construct: (data) => {
    const s = text(data);
    if (INT_OCT.test(s)) return parseInt(s.substring(2), 8);
    if (INT_HEX.test(s)) return parseInt(s.substring(2), 16);
    return parseInt(s, 10);
  },
  predicate: (value) => Number.isInteger(value),
});

const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data) => {
    const s = text(data);
    return numberStart(s, true) && (FLOAT_SPECIAL.test(s) || FLOAT_EXP.test(s) || FLOAT.test(s));
  },
  construct: (data) => {
    const s = text(data);
    if (FLOAT_SPECIAL.test(s)) {
      if (s.slice(-3).toLowerCase() === 'nan') return NaN;
      return s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
    return parseFloat(s);
  },
  predicate: (value) => typeof value === 'number',
});

export const YAML12_CORE_SCHEMA: Schema = FAILSAFE_SCHEMA.extend({ implicit: [nullType, boolType, intType, floatType] });
