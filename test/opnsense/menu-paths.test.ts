// Every OPNsense GUI path gen names (System › Settings › Cron, in steps.md,
// merge messages, verification scripts and the docs) exists in the web GUI's
// menu of 26.7: the menu is built from the verbatim Menu.xml files of core and
// the plugins (models/<release>/Menu/, see models/SOURCES.md), merged by tag
// path as OPNsense's MenuSystem merges them. A path is followed down the menu
// until it reaches a page (an item with a url); what follows names something
// on that page (a tab, a setting, a button), which the menu does not list.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/opnsense/parse.js';
import { type XmlElement, isElement } from '../../src/render/opnsense/xml.js';
import { root } from '../helpers.js';
import { MODELS_DIR } from './model-check.js';

interface MenuNode {
  url: boolean;
  children: Map<string, MenuNode>;
}

/** The menu of one release: every Menu.xml merged by tag path, items named by VisibleName or tag. */
function menu(release: string): MenuNode {
  const top: MenuNode = { url: false, children: new Map() };
  const add = (parent: MenuNode, element: XmlElement) => {
    for (const item of element.children.filter(isElement)) {
      const attr = (name: string) => item.attrs.find(([n]) => n === name)?.[1];
      if (attr('visibility') === 'hidden') continue;
      const name = attr('VisibleName') ?? item.name;
      const node = parent.children.get(name) ?? { url: false, children: new Map() };
      node.url ||= attr('url') !== undefined;
      parent.children.set(name, node);
      add(node, item);
    }
  };
  const dir = join(MODELS_DIR, release, 'Menu');
  for (const file of readdirSync(dir)) add(top, parseXml(readFileSync(join(dir, file), 'utf8')).root);
  return top;
}

/** Where a path leaves the menu: undefined when it reaches a page, or ends on an existing section. */
function wrongStep(top: MenuNode, steps: readonly string[]): string | undefined {
  let node = top;
  for (let i = 0; i < steps.length; i++) {
    if (node.url) return undefined;
    // The longest item name the step starts with: a path in prose runs on into the sentence ("Authorities lists each CA").
    const name = [...node.children.keys()].filter((n) => steps[i] === n || steps[i]!.startsWith(`${n} `)).sort((a, b) => b.length - a.length)[0];
    if (name === undefined) return `${steps.slice(0, i).join(' › ')} has no "${steps[i]}" (it has ${[...node.children.keys()].join(', ')})`;
    node = node.children.get(name)!;
  }
  return undefined;
}

const TOP = ['Lobby', 'Reporting', 'System', 'Interfaces', 'Firewall', 'VPN', 'Services', 'Power', 'Help'];
const STEP = '[A-Z][A-Za-z0-9&-]*(?: [A-Za-z0-9&-]+)*';
const SEP = '(?: ?[›▸] ?| > )';
const PATH = new RegExp(`\\b(?:${TOP.join('|')})${SEP}${STEP}(?:${SEP}${STEP})*`, 'g');

/** The GUI paths in a text: "A › B ▸ C" or "A > B > C". */
function paths(text: string): string[][] {
  return [...text.matchAll(PATH)].map((m) => m[0].split(/ ?[›▸] ?| > /));
}

function textFiles(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? textFiles(path, keep) : keep(path) ? [path] : [];
  });
}

describe('OPNsense GUI paths', () => {
  const top = menu('26.7');

  it('the menu is read: known paths resolve, a wrong one does not', () => {
    expect(wrongStep(top, ['System', 'Settings', 'Cron'])).toBeUndefined();
    expect(wrongStep(top, ['Services', 'ACME Client', 'Challenge Types'])).toBeUndefined();
    expect(wrongStep(top, ['VPN', 'IPsec', 'Virtual Tunnel Interfaces'])).toBeUndefined();
    expect(wrongStep(top, ['Firewall', 'Settings', 'Advanced', 'Disable anti-lockout'])).toBeUndefined();
    expect(wrongStep(top, ['VPN', 'WireGuard', 'Settings'])).toMatch(/has no "Settings"/);
    expect(paths('restart it (VPN ▸ WireGuard ▸ Instances), then System > Trust > Authorities lists each CA')).toEqual([
      ['VPN', 'WireGuard', 'Instances'],
      ['System', 'Trust', 'Authorities lists each CA'],
    ]);
  });

  it('every path in the sources, the docs and the generated output exists', () => {
    const files = [
      ...textFiles(join(root, 'src'), (p) => p.endsWith('.ts')),
      ...textFiles(join(root, 'templates'), () => true),
      ...textFiles(join(root, 'docs'), (p) => p.endsWith('.md')),
      ...textFiles(join(root, 'out'), (p) => !p.endsWith('.xml') && !p.endsWith('.json')),
      join(root, 'README.md'),
      join(root, 'man/gen.1'),
    ];
    const found = files.flatMap((file) => paths(readFileSync(file, 'utf8')).map((steps) => ({ file: relative(root, file), steps })));
    expect(found.length).toBeGreaterThan(20);
    const wrong = found.flatMap(({ file, steps }) => {
      const why = wrongStep(top, steps);
      return why ? [`${file}: ${steps.join(' › ')}: ${why}`] : [];
    });
    expect(wrong).toEqual([]);
  });
});
