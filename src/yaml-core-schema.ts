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
 * Which of the four types reads the plain scalar `s`: 0 for none (a
 * string), then null, boolean, int and float, the first that matches in
 * that order, as js-yaml would find it by asking each type in turn. The
 * first character tells which patterns can match at all: most of a
 * topology's scalars (names, addresses, keys) need none tested.
 */
function kindOf(s: string): 0 | 1 | 2 | 3 | 4 {
  if (s.length === 0) return 1;
  const c = s.charCodeAt(0);
  // ~, n, N: only null can match (at most 4 characters).
  if (c === 0x7e || c === 0x6e || c === 0x4e) return s.length <= 4 && NULL.test(s) ? 1 : 0;
  // t, T, f, F: only a boolean (4 or 5 characters).
  if (c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46) return (s.length === 4 || s.length === 5) && BOOL.test(s) ? 2 : 0;
  // A digit, + or -: an int first, else a float; a full stop: a float only.
  if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d) {
    if (INT_DEC.test(s) || INT_OCT.test(s) || INT_HEX.test(s)) return 3;
  } else if (c !== 0x2e) {
    return 0;
  }
  return FLOAT_SPECIAL.test(s) || FLOAT_EXP.test(s) || FLOAT.test(s) ? 4 : 0;
}

function constructNull(): null {
  return null;
}

function constructBool(data: unknown): boolean {
  return /^[tT]/.test(text(data));
}

function constructInt(data: unknown): number {
  const s = text(data);
  if (INT_OCT.test(s)) return parseInt(s.substring(2), 8);
  if (INT_HEX.test(s)) return parseInt(s.substring(2), 16);
  return parseInt(s, 10);
}

function constructFloat(data: unknown): number {
  const s = text(data);
  if (FLOAT_SPECIAL.test(s)) {
    if (s.slice(-3).toLowerCase() === 'nan') return NaN;
    return s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return parseFloat(s);
}

// Each type, for a scalar tagged with it (!!int 1); a plain scalar is read by `plain` below.
const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data) => kindOf(text(data)) === 1,
  construct: constructNull,
  predicate: (value) => value === null,
});

const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data) => kindOf(text(data)) === 2,
  construct: constructBool,
  predicate: (value) => typeof value === 'boolean',
});

const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data) => {
    const s = text(data);
    return INT_DEC.test(s) || INT_OCT.test(s) || INT_HEX.test(s);
  },
  construct: constructInt,
  predicate: (value) => Number.isInteger(value),
});

const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data) => {
    const s = text(data);
    return FLOAT_SPECIAL.test(s) || FLOAT_EXP.test(s) || FLOAT.test(s);
  },
  construct: constructFloat,
  predicate: (value) => typeof value === 'number',
});

const CONSTRUCT = [undefined, constructNull, constructBool, constructInt, constructFloat] as const;

/**
 * Every plain scalar, as one type: js-yaml asks its implicit types in turn,
 * and with a type for each of the four it made four calls per string (a
 * name, an address, a key), through a call site that sees four functions,
 * each making the scalar's text again. Its construct runs right after its resolve
 * said yes, on the same scalar, and finds the type again from the first
 * character (numbers, booleans and nulls are few of a topology's scalars).
 * Its tag is no tag a file can write: a text with a tag never reaches
 * js-yaml (SIGNS_FOR_POSITIONS_PARSER in src/load.ts).
 */
const plain = new Type('tag:gen,2026:plain-scalar', {
  kind: 'scalar',
  resolve: (data) => kindOf(text(data)) !== 0,
  construct: (data) => CONSTRUCT[kindOf(text(data))]!(data),
});

export const YAML12_CORE_SCHEMA: Schema = FAILSAFE_SCHEMA.extend({ implicit: [plain], explicit: [nullType, boolType, intType, floatType] });
