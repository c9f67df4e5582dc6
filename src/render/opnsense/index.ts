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
import { routesArea } from './routes.js';
import { vlansArea } from './vlans.js';
import { wireguardArea } from './wireguard.js';
import { type WrittenRule, type WrittenRules, addWrittenRules } from './written-rules.js';
import { type XmlElement, element, isElement, xmlDocument } from './xml.js';

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

/**
 * Sections already built for a site by siteSections (for `gen opnsense
 * merge`, and for a verification script rendered without the OPNsense
 * files); treat them as read-only.
 */
const built = new WeakMap<Site, AreaSections[]>();

/** The filter rules the OPNsense files of a site were written with, for its verification script. */
const written = new WeakMap<Site, WrittenRule[]>();

/**
 * Drops what was kept for the verification scripts, once they are written:
 * the rest of a build holds the whole output.
 */
export function releaseSections(model: Model): void {
  for (const site of model.sites) {
    built.delete(site);
    written.delete(site);
  }
}

function buildArea(area: Area, ctx: OpnsenseContext): XmlElement[] {
  return joined(area.build(ctx));
}

/** Every area's sections for one site (areas with nothing to say are left out). */
export function siteSections(model: Model, site: Site): AreaSections[] {
  if (!site.firewall) return [];
  const cached = built.get(site);
  if (cached) return cached;
  const ctx = opnsenseContext(model, site, site.firewall);
  const sections = areas.map((area) => ({ file: area.file, sections: buildArea(area, ctx) })).filter((a) => a.sections.length > 0);
  built.set(site, sections);
  return sections;
}

/**
 * The filter rules of a site's OPNsense files, legacy ones first (pf's
 * order), each in the order written: those the build wrote the files with,
 * or those of the site's sections.
 */
export function writtenFilterRules(model: Model, site: Site): WrittenRule[] {
  const known = written.get(site);
  if (known) return known;
  const rules: WrittenRules = { legacy: [], mvc: [] };
  addWrittenRules(siteSections(model, site).flatMap((a) => a.sections), rules);
  return rules.legacy.concat(rules.mvc);
}

/** Text for an XML comment: "--" cannot appear in one (a site may be named "home--lab"). */
function commentText(value: string): string {
  return value.replace(/-(?=-)/g, '- ');
}

export function renderOpnsense(model: Model, files: OutputFiles): void {
  for (const site of model.sites) {
    if (!site.firewall) continue;
    const ctx = opnsenseContext(model, site, site.firewall);
    const rules: WrittenRules = { legacy: [], mvc: [] };
    // One area at a time: its elements are garbage once its file is
    // written (the filter area of 200,000 rules alone is a tree of hundreds
    // of megabytes); the verification script needs only the rules' labels.
    for (const area of areas) {
      const sections = buildArea(area, ctx);
      if (sections.length === 0) continue;
      addWrittenRules(sections, rules);
      const root = element('opnsense', sections);
      root.children.unshift({ comment: commentText(` gen: site ${site.name}, OPNsense ${site.firewall.release}; apply with gen opnsense merge `) });
      files.set(`${site.name}/opnsense/${area.file}`, xmlDocument(root));
    }
    written.set(site, rules.legacy.concat(rules.mvc));
  }
}
