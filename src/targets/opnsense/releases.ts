// The OPNsense releases gen knows, one table per series (releases/), and
// what a release as written in the topology ("26.7", "26.1.6") means: the
// model versions of that point release (a bare series is its newest point
// release), the value forms it accepts, and the fields each model stores.
// Renderers and rules read releases only through here.
import type { FieldTree, ModelFields, ModelName } from './field-types.js';
import { SNAPSHOTS } from './fields/index.js';
import { FORM_WORDS, type Ipv6Switch, MODEL_WORDS, type ReleaseForms, type ReleaseTable, writesMvcFilter } from './release-types.js';
import { release25_7 } from './releases/25.7.js';
import { release26_1 } from './releases/26.1.js';
import { release26_7 } from './releases/26.7.js';

export type { Ipv6Switch, ReleaseForms } from './release-types.js';
export { writesMvcFilter } from './release-types.js';

export const RELEASE_TABLES: readonly ReleaseTable[] = [release25_7, release26_1, release26_7];

/** The release `gen init` and the examples target, and a firewall without `release` gets. */
export const DEFAULT_RELEASE = '26.7';

export interface Release {
  /** As the topology writes it. */
  name: string;
  series: string;
  /** The point release the facts are for (the newest known for a bare series). */
  point: number;
  /** Model versions; a model the release does not have is absent. */
  versions: Partial<Record<ModelName, string>>;
  forms: ReleaseForms;
  /** The version of the dnsmasq package the release installs (what it does with a query: dnsmasq-answer.ts). */
  dnsmasq: string;
  /** Whether its dnsmasq.conf hands out the firewall as IPv6 DNS server unless told otherwise (unbound-off.ts). */
  dnsmasqFirewallDns6: boolean;
  /** The HAProxy release series its os-haproxy installs ("3.2"): what reads the plugin's haproxy.conf. */
  haproxy: string;
  /** Where interface_configure() reads whether IPv6 is on for the box. */
  ipv6Switch: Ipv6Switch;
  /** The IPv6 types interface_configure() has a case for. */
  ipv6Types: readonly string[];
  /** The fields a model stores on this release (undefined: the release has no such model). */
  fields(model: ModelName): ModelFields | undefined;
}

/**
 * The fields of `model` at `version` for a release of `series`: the
 * series' own snapshot when it has that version, else the snapshot that
 * has it (an earlier point release, or the series where it was current).
 */
export function modelFields(model: ModelName, version: string, series: string): ModelFields | undefined {
  // Snapshots (fields/index.ts) are named after the release whose model files they are: 26.1, 26.1.6, …
  const ofSeries = (name: string) => name.split('.').slice(0, 2).join('.') === series;
  const ordered = [...SNAPSHOTS.filter((s) => ofSeries(s.name)), ...SNAPSHOTS.filter((s) => !ofSeries(s.name))];
  // By the snapshots' versions: a table is made only when it is the one (fields/index.ts).
  return ordered.find((s) => s.versions[model] === version)?.fields[model];
}

const cache = new Map<string, Release | undefined>();

/** What a release means, or undefined when gen does not know it. */
export function releaseFacts(name: string): Release | undefined {
  if (cache.has(name)) return cache.get(name);
  const match = /^([0-9]+\.[0-9]+)(?:\.([0-9]+))?$/.exec(name);
  const table = match && RELEASE_TABLES.find((t) => t.series === match[1]);
  const point = match?.[2] === undefined ? table?.newest : Number(match[2]);
  let release: Release | undefined;
  if (table && point !== undefined && point <= table.newest) {
    const versions: Partial<Record<ModelName, string>> = {};
    let forms = {} as ReleaseForms;
    let dnsmasq = '';
    let dnsmasqFirewallDns6 = false;
    let haproxy = '';
    let ipv6Switch: Ipv6Switch = 'disableipv6';
    let ipv6Types: readonly string[] = [];
    for (const range of table.ranges) {
      if (range.from > point) break;
      Object.assign(versions, range.models);
      forms = { ...forms, ...range.forms };
      dnsmasq = range.dnsmasq ?? dnsmasq;
      dnsmasqFirewallDns6 = range.dnsmasqFirewallDns6 ?? dnsmasqFirewallDns6;
      haproxy = range.haproxy ?? haproxy;
      ipv6Switch = range.ipv6Switch ?? ipv6Switch;
      ipv6Types = range.ipv6Types ?? ipv6Types;
    }
    const series = table.series;
    // Every item a renderer writes asks for its model's fields (30,000 for 20,000 filter rules and
    // 10,000 peers): each model's table is found once per release.
    const fields = new Map<ModelName, ModelFields | undefined>();
    release = {
      name,
      series,
      point,
      versions,
      forms,
      dnsmasq,
      dnsmasqFirewallDns6,
      haproxy,
      ipv6Switch,
      ipv6Types,
      fields: (model) => {
        if (!fields.has(model)) {
          const version = versions[model];
          fields.set(model, version === undefined ? undefined : modelFields(model, version, series));
        }
        return fields.get(model);
      },
    };
  }
  cache.set(name, release);
  return release;
}

/** The releases gen knows, for messages: "25.7 (25.7.0-25.7.11), …". */
export function knownReleases(): string {
  return RELEASE_TABLES.map((t) => `${t.series} (${t.series}.0-${t.series}.${t.newest})`).join(', ');
}

/** Every leaf field of a model, by dotted path (items' fields under their array's path). */
function leafPaths(tree: FieldTree, prefix = ''): string[] {
  return tree.flatMap(([name, node]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    if (typeof node === 'string') return [path];
    return leafPaths(Array.isArray(node) ? (node as FieldTree) : (node as { item: FieldTree }).item, path);
  });
}

/** The model version gen writes for a release: none for the MVC filter model while the policy and outbound NAT are legacy rules. */
function writtenVersion(release: Release, model: ModelName): string | undefined {
  if (model === 'filter' && !writesMvcFilter(release.forms)) return undefined;
  return release.versions[model];
}

/**
 * What moving from one release to another changes in the programs on the box
 * that read what gen writes, in words: dnsmasq (what it answers, which
 * options it takes: dnsmasq-answer.ts, the merge's checks) and, where the
 * site has HAProxy frontends, the HAProxy series os-haproxy installs (26.1.2
 * moved from 3.0 to 3.2). Empty when both stay.
 */
export function describeProgramChange(from: Release, to: Release, haproxy: boolean): string[] {
  const lines: string[] = [];
  if (from.dnsmasq !== to.dnsmasq) lines.push(`dnsmasq ${from.dnsmasq} → ${to.dnsmasq}`);
  if (haproxy && from.haproxy !== to.haproxy) lines.push(`HAProxy ${from.haproxy} → ${to.haproxy} (os-haproxy's package)`);
  return lines;
}

/** What moving from one release to another changes in what gen writes, in words (one line per change). */
export function describeReleaseChange(from: Release, to: Release): string[] {
  const lines: string[] = [];
  for (const key of Object.keys(FORM_WORDS) as (keyof ReleaseForms)[]) {
    const before = from.forms[key];
    const after = to.forms[key];
    if (before !== after) lines.push(`${(FORM_WORDS[key] as Record<string, string>)[after]} instead of ${(FORM_WORDS[key] as Record<string, string>)[before]}`);
  }
  for (const model of Object.keys(MODEL_WORDS) as ModelName[]) {
    const before = writtenVersion(from, model);
    const after = writtenVersion(to, model);
    if (before === after) continue;
    if (before === undefined || after === undefined) {
      lines.push(`${MODEL_WORDS[model]} model ${after === undefined ? `${before} no longer written` : `${after} written`}`);
      continue;
    }
    const a = new Set(leafPaths(from.fields(model)?.items ?? []));
    const b = new Set(leafPaths(to.fields(model)?.items ?? []));
    const added = [...b].filter((f) => !a.has(f));
    const removed = [...a].filter((f) => !b.has(f));
    const fields = added.length + removed.length;
    const detail =
      fields === 0 ? '' : fields <= 4 ? ` (${[...added.map((f) => `+${f}`), ...removed.map((f) => `-${f}`)].join(', ')})` : ` (${added.length} fields added, ${removed.length} removed)`;
    lines.push(`${MODEL_WORDS[model]} model ${before} → ${after}${detail}`);
  }
  return lines;
}
