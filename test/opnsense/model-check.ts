// Checks a config.xml (or gen's fragments put together) against the
// verbatim OPNsense model files of one release (test/opnsense/models/):
// every element is a field of its model, every value fits its field type
// and constraints, the way OPNsense's model classes validate them
// (Base/FieldTypes/*.php), and every relation resolves in the whole tree.
// A field type this file has no check for fails when it carries a value,
// so nothing passes unchecked.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseXml } from '../../src/opnsense/parse.js';
import { type XmlElement, attr, child, childrenNamed, isElement, textOf } from '../../src/render/opnsense/xml.js';
import { root as repoRoot } from '../helpers.js';

export const MODELS_DIR = join(repoRoot, 'test/opnsense/models');

interface FieldDef {
  name: string;
  type?: string;
  kind: 'leaf' | 'container' | 'array';
  volatile: boolean;
  /** The field's parameters (Required, Mask, OptionValues, …) as elements. */
  params: Map<string, XmlElement>;
  fields: FieldDef[];
}

export interface ModelDef {
  /** OPNsense.HAProxy.HAProxy */
  className: string;
  file: string;
  version: string;
  /** Where the model's root sits under <opnsense>. */
  path: string[];
  /** A legacy mapper (/nat/rule+, /cert+): its items sit at the mount path itself, no version attribute. */
  mapper: boolean;
  root: FieldDef;
}

function elements(node: XmlElement): XmlElement[] {
  return node.children.filter(isElement);
}

function fieldDef(node: XmlElement): FieldDef {
  const type = attr(node, 'type');
  const kids = elements(node);
  const isField = (c: XmlElement) => attr(c, 'type') !== undefined || (attr(c, 'type') === undefined && elements(c).some((g) => attr(g, 'type') !== undefined));
  const fields = type === undefined ? kids.map(fieldDef) : kids.some(isField) ? kids.filter(isField).map(fieldDef) : [];
  const kind = type === undefined ? 'container' : fields.length > 0 ? 'array' : 'leaf';
  const params = new Map(kind === 'leaf' ? kids.map((c) => [c.name, c] as const) : []);
  return { name: node.name, type, kind, volatile: attr(node, 'volatile') === 'true', params, fields };
}

/** The model files under `dir`: not the factory config.xml, a dialog's form (forms/) or the GUI's menus (Menu/). */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'forms' || entry === 'Menu' ? [] : files(path);
    return path.endsWith('.xml') && !entry.startsWith('config.') ? [path] : [];
  });
}

/**
 * The configd actions of the snapshot folders the models come from, as
 * configd reads actions_<topic>.conf (processhandler.py: "topic section",
 * a dotted section a path of words; properties "key:value").
 */
function configdActions(models: readonly ModelDef[]): Map<string, Record<string, string>> {
  const actions = new Map<string, Record<string, string>>();
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : /^actions_.*\.conf$/.test(e) ? [join(dir, e)] : []));
  for (const snapshot of new Set(models.map((m) => m.file.split('/')[0]!))) {
    for (const file of walk(join(MODELS_DIR, snapshot))) {
      const topic = /actions_([^.]*)/.exec(file)![1]!;
      let props: Record<string, string> | undefined;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const section = /^\[(.+)\]\s*$/.exec(line);
        const prop = /^([^\s#;:=][^:=]*?)\s*[:=]\s*(.*)$/.exec(line);
        if (section) actions.set(`${topic} ${section[1]!.split('.').join(' ')}`, (props = {}));
        else if (props && prop) props[prop[1]!.toLowerCase()] = prop[2]!.trim();
      }
    }
  }
  return actions;
}

/** The model files of one snapshot folder (e.g. "26.7"). */
export function loadModels(snapshot: string): ModelDef[] {
  const dir = join(MODELS_DIR, snapshot);
  return files(dir).map((file) => {
    const model = parseXml(readFileSync(file, 'utf8')).root;
    const mount = textOf(child(model, 'mount')).trim();
    const mapper = mount.endsWith('+');
    const parts = mount.replace(/^\/+/, '').replace(/\+$/, '').split('/');
    const items = child(model, 'items')!;
    return {
      className: `OPNsense.${relative(dir, file).replace(/\.xml$/, '').split('/').join('.')}`,
      file: relative(MODELS_DIR, file),
      version: textOf(child(model, 'version')).trim(),
      path: mapper ? parts.slice(0, -1) : parts,
      mapper,
      root: { name: parts[parts.length - 1]!, kind: 'container', volatile: false, params: new Map(), fields: elements(items).map(fieldDef) },
    };
  });
}

function param(field: FieldDef, name: string): string | undefined {
  const p = field.params.get(name);
  return p === undefined ? undefined : textOf(p).trim();
}

function flag(field: FieldDef, name: string, fallback = false): boolean {
  const value = param(field, name);
  return value === undefined ? fallback : value.toUpperCase() === 'Y';
}

function defaultOf(field: FieldDef): string {
  return param(field, 'Default') ?? (field.type === 'BooleanField' ? '0' : '');
}

/** A PHP (PCRE) pattern with delimiters and flags as a JavaScript RegExp. */
export function phpRegex(pattern: string): RegExp {
  const p = pattern.trim();
  const delimiter = p[0]!;
  const end = p.lastIndexOf(delimiter);
  const flags = p.slice(end + 1).replace(/[^imsu]/g, '');
  return new RegExp(p.slice(1, end), flags.includes('u') ? flags : `${flags}u`);
}

/** Like preg_match in OPNsense's validators: the first match must be the whole value. */
function matchesWhole(re: RegExp, value: string): boolean {
  const m = new RegExp(re.source, re.flags.replace('g', '')).exec(value);
  return m !== null && m[0] === value;
}

const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
const IPV6 = /^[0-9a-fA-F:]+(:[0-9.]+)?$/;

function isIp(value: string): 'inet' | 'inet6' | undefined {
  if (IPV4.test(value)) return 'inet';
  if (value.includes(':') && IPV6.test(value) && (value.match(/::/g) ?? []).length <= 1) return 'inet6';
  return undefined;
}

function isNetwork(value: string, { maskRequired = false, maskAllowed = true, family }: { maskRequired?: boolean; maskAllowed?: boolean; family?: string } = {}): boolean {
  const [address, mask, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const kind = isIp(address);
  if (!kind) return false;
  if (family && ((family === 'ipv4' && kind !== 'inet') || (family === 'ipv6' && kind !== 'inet6'))) return false;
  if (mask === undefined) return !maskRequired;
  if (!maskAllowed || !/^[0-9]{1,3}$/.test(mask)) return false;
  return Number(mask) <= (kind === 'inet' ? 32 : 128);
}

function isHostname(value: string): boolean {
  const label = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
  return value.length <= 253 && new RegExp(`^${label}(\\.${label})*\\.?$`).test(value);
}

/** FreeBSD /etc/protocols names OPNsense's ProtocolField offers (the ones a firewall rule may name). */
const PROTOCOLS = ['icmp', 'igmp', 'ggp', 'ipencap', 'st2', 'tcp', 'cbt', 'egp', 'igp', 'pup', 'udp', 'hmp', 'xns-idp', 'rdp', 'iso-tp4', 'xtp', 'ddp', 'idpr-cmtp', 'ipv6', 'sdrp', 'idrp', 'rsvp', 'gre', 'esp', 'ah', 'skip', 'ipv6-icmp', 'rspf', 'vmtp', 'ospf', 'ipip', 'encap', 'pim', 'ipcomp', 'carp', 'l2tp', 'isis', 'sctp', 'fc', 'udplite', 'mpls-in-ip', 'manet', 'hip', 'shim6', 'wesp', 'rohc', 'pfsync', 'divert'];

/** Well-known service names PortField accepts (EnableWellKnown). */
const SERVICES = ['http', 'https', 'ssh', 'smtp', 'domain', 'ntp', 'snmp', 'imap', 'imaps', 'pop3', 'pop3s', 'ftp', 'telnet', 'ldap', 'ldaps', 'submission', 'smtps', 'microsoft-ds', 'ms-sql-s', 'mysql', 'postgresql', 'rdp', 'isakmp', 'ipsec-nat-t', 'openvpn'];

export interface Problem {
  path: string;
  message: string;
}

export interface CheckOptions {
  /** Items (by uuid) that gen wrote: they must carry every field of their model. */
  complete?: ReadonlySet<string>;
  /** Model roots that may lack their version attribute (sections of the base the box migrates on boot). */
  allowUnversioned?: boolean;
}

interface Ref {
  path: string;
  field: FieldDef;
  value: string;
}

interface Context {
  config: XmlElement;
  /** configd actions ("topic section") of the snapshots' actions files, with their attributes. */
  configdActions: Map<string, Record<string, string>>;
  models: ModelDef[];
  problems: Problem[];
  refs: Ref[];
  /** Interface keys, groups and devices known in the config. */
  interfaces: Set<string>;
  virtualInterfaces: Set<string>;
  devices: Set<string>;
  aliases: Set<string>;
  gateways: Set<string>;
  options: CheckOptions;
}

function at(node: XmlElement | undefined, path: readonly string[]): XmlElement | undefined {
  for (const name of path) node = child(node, name);
  return node;
}

function optionKeys(field: FieldDef): Set<string> {
  const keys = new Set<string>();
  const walk = (node: XmlElement | undefined) => {
    for (const o of node ? elements(node) : []) {
      if (elements(o).length > 0) walk(o);
      else keys.add(attr(o, 'value') ?? o.name);
    }
  };
  walk(field.params.get('OptionValues'));
  return keys;
}

function list(field: FieldDef, value: string, multipleByDefault = false): string[] {
  return flag(field, 'Multiple', multipleByDefault) || flag(field, 'AsList') ? value.split(field.params.has('FieldSeparator') ? param(field, 'FieldSeparator')! : ',') : [value];
}

/** The problem with a non-empty value of a leaf field, or undefined when it is valid. */
function checkValue(field: FieldDef, value: string, ctx: Context, path: string): string | undefined {
  const type = (field.type ?? '').replace(/^\.\\/, '');
  const number = (v: string, integer: boolean) => {
    if (!(integer ? /^-?[0-9]+$/ : /^-?[0-9]+(\.[0-9]+)?$/).test(v)) return `"${v}" is not ${integer ? 'an integer' : 'a number'}`;
    const min = param(field, 'MinimumValue');
    const max = param(field, 'MaximumValue');
    if (min !== undefined && Number(v) < Number(min)) return `${v} is below ${min}`;
    if (max !== undefined && Number(v) > Number(max)) return `${v} is above ${max}`;
    return undefined;
  };
  const text = (allowSpaces: boolean, allowNewlines: boolean, allowSpecial: boolean) => {
    if (!flag(field, 'AllowSpaces', allowSpaces) && /[ \t]/.test(value)) return 'contains spaces';
    if (!flag(field, 'AllowNewlines', allowNewlines) && /[\n\r]/.test(value)) return 'contains a newline';
    if (!flag(field, 'AllowSpecial', allowSpecial) && /[\0\v\f]/.test(value)) return 'contains a control character';
    const mask = param(field, 'Mask');
    if (mask !== undefined && !matchesWhole(phpRegex(mask), value)) return `"${value}" does not match ${mask}`;
    return undefined;
  };
  const options = (keys: Set<string>, multiple = flag(field, 'Multiple')) => {
    const bad = (multiple ? value.split(',') : [value]).filter((v) => !keys.has(v));
    return bad.length ? `${bad.map((b) => `"${b}"`).join(', ')} not among its options` : undefined;
  };
  const networkAlias = (multiple: boolean) => {
    const names = new Set(['any', '(self)', ...ctx.interfaces, ...[...ctx.interfaces].filter((k) => !ctx.virtualInterfaces.has(k)).map((k) => `${k}ip`), ...ctx.aliases]);
    const bad = (multiple ? value.split(',') : [value]).filter((v) => !names.has(v) && !isNetwork(v));
    return bad.length ? `${bad.join(', ')} is no network, interface, alias or address` : undefined;
  };
  const port = () => {
    for (const p of value.split(',')) {
      const range = /^([0-9]+)-([0-9]+)$/.exec(p);
      if (range && flag(field, 'EnableRanges') && Number(range[1]) >= 1 && Number(range[1]) < Number(range[2]) && Number(range[2]) <= 65535) continue;
      if (/^[0-9]+$/.test(p) && Number(p) >= 1 && Number(p) <= 65535) continue;
      if (flag(field, 'EnableWellKnown') && SERVICES.includes(p)) continue;
      if (flag(field, 'EnableAlias') && ctx.aliases.has(p)) continue;
      return `"${p}" is no port${flag(field, 'EnableRanges') ? ', range' : ''}${flag(field, 'EnableAlias') ? ' or alias' : ''}`;
    }
    return undefined;
  };
  switch (type) {
    case 'BooleanField':
      return /^[01]$/.test(value) ? undefined : `"${value}" is not 0 or 1`;
    case 'IntegerField':
    case 'AutoNumberField':
    case 'FilterSequenceField':
    case 'DNatSequenceField':
      return number(value, true);
    case 'NumericField':
      return number(value, false);
    case 'OptionField':
      return options(optionKeys(field));
    case 'ProtocolField': {
      const lower = param(field, 'ChangeCase')?.toLowerCase() === 'lower';
      const change = (s: string) => (lower ? s.toLowerCase() : s.toUpperCase());
      const add = elements(field.params.get('AddOptions') ?? { name: '', attrs: [], children: [] }).map((o) => change(attr(o, 'value') ?? o.name));
      return options(new Set([...PROTOCOLS.map(change), ...add, 'any']), false);
    }
    case 'TextField':
      return text(true, true, true);
    case 'StrictTextField':
      return text(false, false, false);
    case 'DescriptionField':
      return text(true, false, false) ?? (value.length <= 255 ? undefined : 'longer than 255 characters');
    case 'CSVListField': {
      const mask = param(field, 'Mask');
      if (mask === undefined) return undefined;
      const re = phpRegex(mask);
      const items = flag(field, 'MaskPerItem') ? value.split(',') : [value];
      const bad = items.find((i) => !matchesWhole(re, i));
      return bad === undefined ? undefined : `"${bad}" does not match ${mask}`;
    }
    case 'NetworkField': {
      const wildcard = flag(field, 'WildcardEnabled', true);
      const bad = list(field, value).find(
        (v) => !(wildcard && v === 'any') && !isNetwork(v, { maskRequired: flag(field, 'NetMaskRequired'), maskAllowed: flag(field, 'NetMaskAllowed', true), family: param(field, 'AddressFamily')?.toLowerCase() }),
      );
      return bad === undefined ? undefined : `"${bad}" is not a network or address this field accepts`;
    }
    case 'RangeAddressField':
      return isIp(value) ? undefined : `"${value}" is not an address`;
    case 'NetworkAliasField':
    case 'NetworkMappedField':
      return networkAlias(flag(field, 'Multiple') || type === 'NetworkAliasField');
    case 'PortField':
    case 'PortMappedField':
      return port();
    case 'HostnameField': {
      const bad = list(field, value).find((v) => {
        const name = flag(field, 'FqdnWildcardAllowed') || flag(field, 'IsWildcardAllowed') ? v.replace(/^\*\./, '') : v;
        return !(isHostname(name) || (flag(field, 'IpAllowed', type === 'HostnameField' && field.type === 'HostnameField') && isIp(v)));
      });
      return bad === undefined ? undefined : `"${bad}" is not a host name`;
    }
    case 'MacAddressField': {
      const bad = list(field, value).find((v) => !/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(v));
      return bad === undefined ? undefined : `"${bad}" is not a MAC address`;
    }
    case 'Base64Field':
      return /^[A-Za-z0-9+/\r\n]*={0,2}$/.test(value) && value.replace(/[\r\n]/g, '').length % 4 === 0 ? undefined : 'is not base64';
    case 'UniqueIdField':
      return /^[0-9a-f]{14}\.[0-9]{8}$/.test(value) ? undefined : `"${value}" is not a uniqid('', true) value`;
    case 'InterfaceField': {
      const multiple = flag(field, 'Multiple');
      const dynamic = flag(field, 'AllowDynamic');
      const known = new Set([...ctx.interfaces].filter((k) => dynamic || !ctx.virtualInterfaces.has(k)));
      return options(known, multiple);
    }
    case 'VlanInterfaceField':
      return options(ctx.devices, false);
    case 'GroupNameField':
      return /^[A-Za-z_][A-Za-z0-9_]{0,14}$/.test(value) && !/[0-9]$/.test(value) ? undefined : `"${value}" is not an interface group name`;
    case 'AliasNameField':
      return /^([a-zA-Z]|(([_a-zA-Z][a-zA-Z0-9]|[a-zA-Z][_a-zA-Z0-9])[_a-zA-Z0-9]{0,29}))$/.test(value) ? undefined : `"${value}" is not an alias name`;
    case 'AliasContentField': {
      const bad = value.split('\n').find((v) => !isNetwork(v) && !ctx.aliases.has(v));
      return bad === undefined ? undefined : `"${bad}" is no network, address or alias`;
    }
    case 'JsonKeyValueStoreField': {
      const source = param(field, 'ConfigdPopulateAct') ?? '';
      if (source.startsWith('interface gateways list')) return options(ctx.gateways, flag(field, 'Multiple'));
      if (source === 'dnsmasq list dhcp_options') return /^[0-9]+$/.test(value) && Number(value) >= 1 && Number(value) <= 254 ? undefined : `"${value}" is no DHCP option code`;
      return `no check for the values of ${source || 'this store'}`;
    }
    case 'ModelRelationField':
    case 'CertificateField':
    case 'CertificatesField':
      ctx.refs.push({ path, field, value });
      return undefined;
    case 'ConfigdActionsField': {
      // A configd action of the snapshot's actions files; with a filter, only actions whose attribute matches it.
      const action = ctx.configdActions.get(value);
      if (action === undefined) return `"${value}" is no configd action of the actions files here`;
      for (const filter of elements(field.params.get('filters') ?? { name: '', attrs: [], children: [] })) {
        const have = action[filter.name];
        if (have !== undefined && !phpRegex(textOf(filter).trim()).test(have)) return `configd action "${value}" has no ${filter.name} matching ${textOf(filter).trim()}`;
      }
      return undefined;
    }
    case 'DNatAssociatedRuleField':
      return value === 'pass' ? undefined : `"${value}" (the model keeps only "pass")`;
    default:
      return `no check for field type ${field.type}`;
  }
}

/** Checks one container of a model (settings, or an item) against its fields. */
function checkContainer(node: XmlElement, def: FieldDef, ctx: Context, path: string, complete: boolean, unversioned: boolean): void {
  const known = new Map(def.fields.map((f) => [f.name, f]));
  for (const c of elements(node)) {
    const f = known.get(c.name);
    if (!f) ctx.problems.push({ path: `${path}/${c.name}`, message: 'is no field of the model (OPNsense ignores it and drops it on the next save)' });
    else if (f.volatile) ctx.problems.push({ path: `${path}/${c.name}`, message: 'is a volatile field (never stored)' });
  }
  for (const f of def.fields) {
    if (f.volatile) continue;
    const here = childrenNamed(node, f.name);
    const fpath = `${path}/${f.name}`;
    if (f.kind === 'array') {
      for (const item of here) {
        const uuid = attr(item, 'uuid');
        if (uuid === undefined && !unversioned) ctx.problems.push({ path: fpath, message: 'item without uuid' });
        checkContainer(item, f, ctx, `${fpath}[${uuid ?? '?'}]`, uuid !== undefined && (ctx.options.complete?.has(uuid) ?? false), unversioned);
      }
      checkUnique(here, f, ctx, fpath);
      continue;
    }
    if (here.length > 1) ctx.problems.push({ path: fpath, message: `appears ${here.length} times` });
    if (here.length === 0 && complete) ctx.problems.push({ path: fpath, message: 'is missing: OPNsense templates read config.xml without the model defaults' });
    if (f.kind === 'container') {
      checkContainer(here[0] ?? { name: f.name, attrs: [], children: [] }, f, ctx, fpath, complete, unversioned);
      continue;
    }
    const value = here.length > 0 ? textOf(here[0]) : defaultOf(f);
    if (value === '') {
      if (flag(f, 'Required')) ctx.problems.push({ path: fpath, message: 'is required' });
      continue;
    }
    const problem = checkValue(f, value, ctx, fpath);
    if (problem) ctx.problems.push({ path: fpath, message: `${problem} (${f.type})` });
  }
}

/** UniqueConstraint: the field (with its addFields) differs between the items of an array. */
function checkUnique(items: XmlElement[], array: FieldDef, ctx: Context, path: string): void {
  for (const f of array.fields) {
    for (const check of elements(f.params.get('Constraints') ?? { name: '', attrs: [], children: [] })) {
      if (textOf(child(check, 'type')).trim() !== 'UniqueConstraint') continue;
      const extra = elements(child(check, 'addFields') ?? { name: '', attrs: [], children: [] }).map((e) => textOf(e).trim());
      const seen = new Map<string, string>();
      for (const item of items) {
        const value = textOf(child(item, f.name));
        if (value === '') continue;
        const key = [value, ...extra.map((e) => textOf(child(item, e)))].join('\u0000');
        if (seen.has(key)) ctx.problems.push({ path: `${path}/${f.name}`, message: `"${value}" is not unique (UniqueConstraint${extra.length ? ` with ${extra.join(', ')}` : ''})` });
        seen.set(key, attr(item, 'uuid') ?? '');
      }
    }
  }
}

/** The items (uuid → item) an array of a model holds in the config. */
function itemsAt(ctx: Context, className: string, items: string): Map<string, XmlElement> {
  const model = ctx.models.find((m) => m.className === className);
  const out = new Map<string, XmlElement>();
  if (!model) return out;
  const parts = items.split('.');
  const parent = at(ctx.config, [...model.path, ...parts.slice(0, -1)]);
  for (const item of childrenNamed(parent, parts[parts.length - 1]!)) {
    const uuid = attr(item, 'uuid');
    if (uuid !== undefined) out.set(uuid, item);
  }
  return out;
}

function checkRefs(ctx: Context): void {
  for (const { path, field, value } of ctx.refs) {
    const multiple = flag(field, 'Multiple');
    const values = multiple ? value.split(',') : [value];
    if (field.type === 'ModelRelationField') {
      const targets = elements(field.params.get('Model') ?? { name: '', attrs: [], children: [] });
      for (const v of values) {
        const found = targets.some((t) => {
          const item = itemsAt(ctx, textOf(child(t, 'source')).trim(), textOf(child(t, 'items')).trim()).get(v);
          if (!item) return false;
          // Relation filters: the target's field must match the pattern (e.g. an ACME HTTP-01 frontend in http or ssl mode).
          return elements(child(t, 'filters') ?? { name: '', attrs: [], children: [] }).every((flt) => matchesWhole(phpRegex(textOf(flt)), textOf(child(item, flt.name))));
        });
        if (!found) ctx.problems.push({ path, message: `${v} is no item the relation may point to (${targets.map((t) => `${textOf(child(t, 'source')).trim()} ${textOf(child(t, 'items')).trim()}`).join(', ')})` });
      }
    } else {
      const kind = (param(field, 'Type') ?? 'cert').toLowerCase();
      const refids = new Set(childrenNamed(ctx.config, kind === 'ca' ? 'ca' : 'cert').map((c) => textOf(child(c, 'refid')).trim()));
      for (const v of values) if (!refids.has(v)) ctx.problems.push({ path, message: `${v} is no <${kind}> refid in the configuration` });
    }
  }
}

/**
 * Every problem of `config` against `models`. Interface keys are the
 * config's <interfaces> plus what OPNsense registers at boot: the WireGuard
 * group (when WireGuard is enabled), interface groups, and enc0 (IPsec).
 */
export function checkConfig(config: XmlElement, models: ModelDef[], options: CheckOptions = {}): Problem[] {
  const ifaces = elements(child(config, 'interfaces') ?? { name: '', attrs: [], children: [] });
  const groups = childrenNamed(child(config, 'ifgroups'), 'ifgroupentry').map((g) => textOf(child(g, 'ifname')).trim());
  const wireguard = textOf(child(at(config, ['OPNsense', 'wireguard', 'general']), 'enabled')).trim() === '1' ? ['wireguard'] : [];
  const virtual = new Set([...groups, ...wireguard, 'enc0']);
  const ctx: Context = {
    config,
    configdActions: configdActions(models),
    models,
    problems: [],
    refs: [],
    interfaces: new Set([...ifaces.map((i) => i.name), ...virtual]),
    virtualInterfaces: virtual,
    devices: new Set([...ifaces.map((i) => textOf(child(i, 'if')).trim()), ...childrenNamed(child(config, 'vlans'), 'vlan').map((v) => textOf(child(v, 'vlanif')).trim())]),
    aliases: new Set(childrenNamed(at(config, ['OPNsense', 'Firewall', 'Alias', 'aliases']), 'alias').map((a) => textOf(child(a, 'name')).trim())),
    gateways: new Set(childrenNamed(at(config, ['OPNsense', 'Gateways']), 'gateway_item').map((g) => textOf(child(g, 'name')).trim())),
    options,
  };
  for (const model of models) {
    const node = at(config, model.path);
    if (!node) continue;
    const where = `${model.path.join('/')} (${model.file})`;
    if (model.mapper) {
      // A legacy mapper owns only its items there (<nat> also holds <outbound>, <opnsense> everything).
      for (const f of model.root.fields.filter((x) => x.kind === 'array')) {
        const items = childrenNamed(node, f.name);
        for (const item of items) {
          const uuid = attr(item, 'uuid');
          checkContainer(item, f, ctx, `${where}/${f.name}[${uuid ?? '?'}]`, uuid !== undefined && (options.complete?.has(uuid) ?? false), false);
        }
        checkUnique(items, f, ctx, `${where}/${f.name}`);
      }
      continue;
    }
    const version = attr(node, 'version');
    if (version === undefined) {
      if (!options.allowUnversioned) ctx.problems.push({ path: where, message: `has no version attribute (the model is ${model.version})` });
    } else if (version !== model.version) {
      ctx.problems.push({ path: where, message: `version ${version}, but the model is ${model.version}` });
    }
    checkContainer(node, model.root, ctx, where, false, version === undefined);
  }
  checkRefs(ctx);
  return ctx.problems;
}
