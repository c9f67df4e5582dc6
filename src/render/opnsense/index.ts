// The OPNsense target: one well-formed <opnsense> document per area under
// out/<site>/opnsense/, for review; `gen opnsense merge` puts the same
// sections into an operator's backup.
import type { Model, Site } from '../../model.js';
import type { OutputFiles } from '../target.js';
import { acmeArea } from './acme.js';
import { aliasesArea } from './aliases.js';
import { type Area, type OpnsenseContext, opnsenseContext } from './context.js';

import { dhcpArea } from './dhcp.js';
import { filterArea } from './filter.js';
import { groupsArea } from './groups.js';
import { haproxyArea } from './haproxy.js';
import { interfacesArea } from './interfaces.js';
import { natArea } from './nat.js';
import { type Alias, compilePolicy } from './policy.js';
import { routesArea } from './routes.js';
import { unboundArea } from './unbound.js';
import { vlansArea } from './vlans.js';
import { wireguardArea } from './wireguard.js';
import { type WrittenRule, type WrittenRules, addWrittenRules, writtenRulesVisitor } from './written-rules.js';
import { type XmlElement, element, isElement, xmlDocument, xmlDocumentParts } from './xml.js';

export const areas: readonly Area[] = [
  interfacesArea,
  vlansArea,
  groupsArea,
  dhcpArea,
  routesArea,
  aliasesArea,
  filterArea,
  natArea,
  wireguardArea,
  haproxyArea,
  acmeArea,
  unboundArea,
];

export interface AreaSections {
  file: string;
  sections: XmlElement[];
}

/**
 * Sections that share their path (<OPNsense><wireguard> of three models)
 * written as one tree: plain elements of the same name are joined, model
 * roots and items (which carry attributes) stay apart.
 */
function joined(sections: XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const section of sections) {
    // Never a frozen element (a default field shared by many items): it cannot take children.
    const same = section.attrs.length === 0 ? out.find((o) => o.name === section.name && o.attrs.length === 0 && !Object.isFrozen(o)) : undefined;
    if (same && same.children.every(isElement) && section.children.every(isElement)) same.children = joined([...(same.children as XmlElement[]), ...(section.children as XmlElement[])]);
    else out.push(section);
  }
  return out;
}

/** The filter rules the OPNsense files of a site were written with, for its verification script. */
const written = new WeakMap<Site, WrittenRule[]>();
/** The aliases those rules name, from the same compilation (compiling a site's policy again costs as much as the first time). */
const writtenAliases = new WeakMap<Site, Alias[]>();

/**
 * Drops what was kept for the verification scripts, once they are written:
 * the rest of a build needs none of it.
 */
export function releaseSections(model: Model): void {
  for (const site of model.sites) {
    written.delete(site);
    writtenAliases.delete(site);
  }
}

/**
 * Each area of a site with something to say, built one at a time: a caller
 * that is done with an area before taking the next leaves its elements to
 * the collector (the filter area of 200,000 rules alone is a tree of
 * hundreds of megabytes).
 */
function* areaSections(model: Model, site: Site, ctx = site.firewall && opnsenseContext(model, site, site.firewall)): Generator<AreaSections> {
  if (!ctx) return;
  for (const area of areas) {
    const sections = joined(area.build(ctx));
    if (sections.length > 0) yield { file: area.file, sections };
  }
}

/** Every area's sections for one site (for `gen opnsense merge`). */
export function siteSections(model: Model, site: Site): AreaSections[] {
  return [...areaSections(model, site)];
}

/**
 * The filter rules of a site's OPNsense files, legacy ones first (pf's
 * order), each in the order written: those the build wrote the files with,
 * or, for a verification script rendered alone, read area by area.
 */
export function writtenFilterRules(model: Model, site: Site): WrittenRule[] {
  let known = written.get(site);
  if (!known) {
    const rules: WrittenRules = { legacy: [], mvc: [] };
    const devices = deviceMap(site);
    for (const { sections } of areaSections(model, site)) addWrittenRules(sections, devices, rules);
    written.set(site, (known = rules.legacy.concat(rules.mvc)));
  }
  return known;
}

/** The aliases of a site's policy, as its OPNsense files were written with them. */
export function writtenPolicyAliases(model: Model, site: Site): Alias[] {
  return writtenAliases.get(site) ?? compilePolicy(opnsenseContext(model, site, site.firewall!)).aliases;
}

/** Interface key → device, as OPNsense's rule compiler maps a rule's interface. */
function deviceMap(site: Site): Map<string, string> {
  return new Map((site.firewall?.interfaces ?? []).map((i) => [i.key, i.device]));
}

/** Text for an XML comment: "--" cannot appear in one (a site may be named "home--lab"). */
function commentText(value: string): string {
  return value.replace(/-(?=-)/g, '- ');
}

export function renderOpnsense(model: Model, files: OutputFiles): void {
  for (const site of model.sites) {
    if (!site.firewall) continue;
    const rules: WrittenRules = { legacy: [], mvc: [] };
    const devices = deviceMap(site);
    // Long lists of items (filter rules, WireGuard clients) are made as their file is written.
    const ctx = opnsenseContext(model, site, site.firewall, { streamed: true });
    // One area at a time, each garbage once its file is written; the verification script needs only the rules' labels and pf text.
    for (const { file, sections } of areaSections(model, site, ctx)) {
      const visit = writtenRulesVisitor(sections, devices, rules);
      const root = element('opnsense', sections);
      root.children.unshift({ comment: commentText(` gen: site ${site.name}, OPNsense ${site.firewall.release}; apply with gen opnsense merge `) });
      const path = `${site.name}/opnsense/${file}`;
      // Written part by part where the output takes it so: the filter rules of 10,000 peers are never one 38 MB string.
      if (files.setParts) files.setParts(path, (part) => xmlDocumentParts(root, part, visit));
      else files.set(path, xmlDocument(root, visit));
    }
    written.set(site, rules.legacy.concat(rules.mvc));
    writtenAliases.set(site, compilePolicy(ctx).aliases);
  }
}
