// Proxmox's "property strings" (`key=value,key=value`), the form of every
// guest option such as a VM's netN or a container's netN. This is a reading
// of pve-common's PVE::JSONSchema::parse_property_string and check_object
// (src/PVE/JSONSchema.pm, 9.2.1: parse_property_string at line 1068,
// check_prop's pattern test at 1636, is_integer at 1170) reduced to what the
// guest formats use: a default key, key aliases (`virtio=<MAC>` sets the
// model and the MAC), booleans, integers with bounds, patterns and enums.
// gen checks every option string it writes with it, and a test runs the
// same cases through Proxmox's own Perl code.

export interface PropertySchema {
  type: 'string' | 'integer' | 'boolean' | 'number';
  optional?: boolean;
  /** The value of a part without `=` goes to this key. */
  defaultKey?: boolean;
  /** `key=value` sets `alias` to value and `keyAlias` to key (qm's `virtio=<MAC>`). */
  alias?: string;
  keyAlias?: string;
  /** Anchored like Proxmox anchors it: `^(?:pattern)$`. */
  pattern?: RegExp;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  /** A named format's validator: an error message, or undefined when valid. */
  format?: (value: string) => string | undefined;
}

export type PropertyFormat = Readonly<Record<string, PropertySchema>>;

export type Parsed = { ok: true; value: Record<string, string> } | { ok: false; error: string };

/** PVE::JSONSchema::parse_boolean. */
function parseBoolean(value: string): string | undefined {
  if (/^(1|on|yes|true)$/i.test(value)) return '1';
  if (/^(0|off|no|false)$/i.test(value)) return '0';
  return undefined;
}

export function parsePropertyString(format: PropertyFormat, data: string): Parsed {
  const result: Record<string, string> = {};
  let defaultKey: string | undefined;
  for (const part of data.split(',')) {
    if (/^\s*$/.test(part)) continue;
    const pair = /^([^=]+)=(.+)$/.exec(part);
    if (pair) {
      let key = pair[1]!;
      let value = pair[2]!;
      if (result[key] !== undefined) return { ok: false, error: `duplicate key in comma-separated list property: ${key}` };
      let schema = format[key];
      if (schema?.alias) {
        if (schema.keyAlias) {
          if (result[schema.keyAlias] !== undefined) return { ok: false, error: `key alias '${schema.keyAlias}' is already defined` };
          result[schema.keyAlias] = key;
        }
        key = schema.alias;
        schema = format[key];
        if (result[key] !== undefined) return { ok: false, error: `key '${key}' is already defined (via alias)` };
      }
      if (!schema) return { ok: false, error: `invalid key in comma-separated list property: ${key}` };
      if (schema.type === 'boolean') value = parseBoolean(value) ?? value;
      result[key] = value;
    } else if (!part.includes('=')) {
      if (defaultKey !== undefined) return { ok: false, error: `duplicate key in comma-separated list property: ${defaultKey}` };
      defaultKey = Object.keys(format).find((k) => format[k]!.defaultKey);
      if (defaultKey === undefined) return { ok: false, error: 'value without key, but schema does not define a default key' };
      if (result[defaultKey]) return { ok: false, error: `duplicate key in comma-separated list property: ${defaultKey}` };
      result[defaultKey] = format[defaultKey]!.type === 'boolean' ? (parseBoolean(part) ?? part) : part;
    } else {
      return { ok: false, error: 'missing key in comma-separated list property' };
    }
  }
  const error = checkObject(format, result);
  return error ? { ok: false, error } : { ok: true, value: result };
}

/** check_object: required keys, then every value against its schema. */
function checkObject(format: PropertyFormat, value: Record<string, string>): string | undefined {
  for (const [key, schema] of Object.entries(format)) {
    if (schema.alias) continue;
    if (value[key] === undefined) {
      if (!schema.optional) return `${key}: property is missing and it is not optional`;
      continue;
    }
    const error = checkValue(schema, value[key]!);
    if (error) return `${key}: ${error}`;
  }
  for (const key of Object.keys(value)) {
    if (!format[key] && !Object.values(format).some((s) => s.keyAlias === key)) return `${key}: property is not defined in schema`;
  }
  return undefined;
}

function checkValue(schema: PropertySchema, value: string): string | undefined {
  switch (schema.type) {
    case 'boolean':
      if (value !== '0' && value !== '1') return `type check ('boolean') failed - got '${value}'`;
      return undefined;
    case 'integer':
    case 'number': {
      const numeric = schema.type === 'integer' ? /^[+-]?\d+$/ : /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/;
      if (!numeric.test(value)) return `type check ('${schema.type}') failed - got '${value}'`;
      const n = Number(value);
      if (schema.minimum !== undefined && n < schema.minimum) return `value must have a minimum value of ${schema.minimum}`;
      if (schema.maximum !== undefined && n > schema.maximum) return `value must have a maximum value of ${schema.maximum}`;
      return undefined;
    }
    default:
      if (schema.enum && !schema.enum.includes(value)) return `value '${value}' does not have a value in the enumeration '${schema.enum.join(', ')}'`;
      if (schema.format) {
        const error = schema.format(value);
        if (error) return `invalid format - ${error}`;
      }
      if (schema.pattern && !new RegExp(`^(?:${schema.pattern.source})$`).test(value)) return 'value does not match the regex pattern';
      return undefined;
  }
}

/**
 * PVE::JSONSchema::print_property_string: the default key first (as
 * `key=value` of its alias when one is set, `virtio=<MAC>`), then the
 * required keys, then the rest, each group sorted. This is the form
 * Proxmox writes to the guest's config file and prints in `qm config`.
 */
export function printPropertyString(format: PropertyFormat, data: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  const done = new Set<string>();
  const add = (key: string, isDefault: boolean) => {
    if (done.has(key)) return;
    done.add(key);
    const value = data[key];
    if (value === undefined) return;
    if (value.includes(',')) throw new Error(`illegal value with commas for ${key}`);
    // A key alias combines the default key with its alias's value: virtio=<MAC>.
    const combined = Object.entries(format).find(([, s]) => s.keyAlias === key)?.[1]?.alias;
    if (combined !== undefined && data[combined] !== undefined) {
      parts.push(`${value}=${data[combined]}`);
      done.add(combined);
      return;
    }
    parts.push(isDefault ? value : `${key}=${value}`);
  };
  const defaultKey = Object.keys(format).find((k) => format[k]!.defaultKey);
  if (defaultKey) add(defaultKey, true);
  const keys = Object.keys(data).sort();
  for (const key of keys) if (format[key] && !format[key]!.optional && !format[key]!.alias) add(key, false);
  for (const key of keys) add(key, false);
  return parts.join(',');
}
