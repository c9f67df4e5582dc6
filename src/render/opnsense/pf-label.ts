// The label OPNsense gives each filter rule in the pf ruleset it loads:
// `pfctl -sr` shows it (`label "…"`), never the rule's description, so a
// check that a rule is loaded looks for its label.
// - A legacy <filter><rule> is labelled md5(json_encode(rule)) of the rule as
//   a config array, without descr/created/updated, keys sorted one level
//   deep (filter_core_rules_user() in etc/inc/filter.lib.inc and
//   OPNsense\Firewall\Util::calcRuleHash(), identical in 25.7, 26.1, 26.7).
// - An MVC rule (//OPNsense/Firewall/Filter) is labelled by its uuid
//   (FilterRuleField, "label" => uuid attribute).
import { createHash } from 'node:crypto';
import { LIST_TAGS } from '../../targets/opnsense/legacy-config.js';
import { type XmlElement, isElement, textOf } from './xml.js';

type PhpValue = string | PhpArray;
/** A PHP array: insertion-ordered string keys, or a list. */
type PhpArray = Map<string, PhpValue> | PhpValue[];

/** OPNsense\Core\Config::toArray() of one element's content, with the legacy config's list tags. */
function toArray(node: XmlElement): Map<string, PhpValue> {
  const result = new Map<string, PhpValue>();
  if (node.attrs.length > 0) result.set('@attributes', new Map(node.attrs));
  for (const c of node.children) {
    if (!isElement(c)) continue;
    const value: PhpValue = c.children.some(isElement) ? toArray(c) : textOf(c);
    const existing = result.get(c.name);
    if (existing !== undefined) {
      result.set(c.name, Array.isArray(existing) ? [...existing, value] : [existing, value]);
    } else if (LIST_TAGS.has(c.name)) {
      result.set(c.name, typeof value === 'string' && value.trim() === '' ? [] : [value]);
    } else {
      result.set(c.name, value);
    }
    if (!c.children.some(isElement) && c.attrs.length > 0) result.set(`${c.name}@attributes`, new Map(c.attrs));
  }
  return result;
}

const PLAIN = /^[\x20-\x21\x23-\x2e\x30-\x5b\x5d-\x7f]*$/;
const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** PHP's json_encode() with its default flags: "/" and every non-ASCII UTF-16 unit escaped. */
function phpJsonString(value: string): string {
  if (PLAIN.test(value)) return `"${value}"`;
  return `"${value.replace(/[\u0000-\u001f"\\/\u0080-\uffff]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

function phpJson(value: PhpValue): string {
  if (typeof value === 'string') return phpJsonString(value);
  if (Array.isArray(value)) return `[${value.map(phpJson).join(',')}]`;
  return `{${[...value].map(([k, v]) => `${phpJsonString(k)}:${phpJson(v)}`).join(',')}}`;
}

/**
 * ksort() with SORT_REGULAR on non-numeric string keys: byte order. The keys
 * are element names (xml.ts allows only ASCII ones) and "@attributes", for
 * which JavaScript's < is byte order.
 */
function ksort(value: Map<string, PhpValue>): Map<string, PhpValue> {
  return new Map([...value].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The label of a legacy filter rule, as OPNsense computes it when it compiles the rule. */
export function legacyRuleLabel(rule: XmlElement): string {
  const fields = toArray(rule);
  for (const key of ['updated', 'created', 'descr']) fields.delete(key);
  const sorted = ksort(fields);
  for (const [key, value] of sorted) if (value instanceof Map) sorted.set(key, ksort(value));
  return createHash('md5').update(phpJson(sorted), 'utf8').digest('hex');
}

/** The label of an MVC filter rule: its uuid. */
export function mvcRuleLabel(rule: XmlElement): string | undefined {
  return rule.attrs.find(([k]) => k === 'uuid')?.[1];
}
