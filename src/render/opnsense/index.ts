// The OPNsense target: one well-formed <opnsense> document per area under
// out/<site>/opnsense/, for review; `gen opnsense merge` puts the same
// sections into an operator's backup.
import type { Model, Site } from '../../model.js';
import type { OutputFiles } from '../target.js';
import { acmeArea } from './acme.js';
import { aliasesArea } from './aliases.js';
import { type Area, opnsenseContext } from './context.js';
import { dhcpArea } from './dhcp.js';
import { filterArea } from './filter.js';
import { groupsArea } from './groups.js';
import { haproxyArea } from './haproxy.js';
import { interfacesArea } from './interfaces.js';
import { natArea } from './nat.js';
import { routesArea } from './routes.js';
import { vlansArea } from './vlans.js';
import { wireguardArea } from './wireguard.js';
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

/** Sections already built for a site: the verification scripts read the same rules (treat them as read-only). */
const built = new WeakMap<Site, AreaSections[]>();

/**
 * Drops the sections built for the model's sites, once the files and the
 * verification scripts are written from them: the rest of a build holds
 * the whole output (200,000 rules are a tree of hundreds of megabytes).
 */
export function releaseSections(model: Model): void {
  for (const site of model.sites) built.delete(site);
}

/** Every area's sections for one site (areas with nothing to say are left out). */
export function siteSections(model: Model, site: Site): AreaSections[] {
  if (!site.firewall) return [];
  const cached = built.get(site);
  if (cached) return cached;
  const ctx = opnsenseContext(model, site, site.firewall);
  const sections = areas.map((area) => ({ file: area.file, sections: joined(area.build(ctx)) })).filter((a) => a.sections.length > 0);
  built.set(site, sections);
  return sections;
}

/** Text for an XML comment: "--" cannot appear in one (a site may be named "home--lab"). */
function commentText(value: string): string {
  return value.replace(/-(?=-)/g, '- ');
}

export function renderOpnsense(model: Model, files: OutputFiles): void {
  for (const site of model.sites) {
    for (const { file, sections } of siteSections(model, site)) {
      const root = element('opnsense', sections);
      root.children.unshift({ comment: commentText(` gen: site ${site.name}, OPNsense ${site.firewall!.release}; apply with gen opnsense merge `) });
      files.set(`${site.name}/opnsense/${file}`, xmlDocument(root));
    }
  }
}
