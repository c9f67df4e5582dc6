// How a project runs gen, as `gen init` records it: as a dev dependency
// (scripts in package.json, the way to pin gen's version per repository),
// installed globally, or one-off with npx (a line in the README). The
// schema line of the topology points into node_modules/gen-topology, a
// path that stays the same across versions and machines.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { PACKAGE_NAME, packageRoot, packageVersion } from '../paths.js';

export const WAYS = ['dev', 'global', 'npx'] as const;
export type Way = (typeof WAYS)[number];

/** The nearest directory at or above `dir` that holds `name`. */
export function nearest(dir: string, name: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, name))) return current;
    if (dirname(current) === current) return undefined;
  }
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
}

/** How this gen was started, for a topology in `dir`: npx's cache, a node_modules above the project, or elsewhere. */
export function detectWay(dir: string, root = packageRoot): Way {
  const parts = root.split(sep);
  if (parts.includes('_npx')) return 'npx';
  const modules = parts.lastIndexOf('node_modules');
  if (modules > 0 && within(resolve(dir), parts.slice(0, modules).join(sep) || sep)) return 'dev';
  return 'global';
}

/** The schema line's path for a topology written to `target`: gen's own schema in its repository, else node_modules/gen-topology in the project. */
export function schemaPath(target: string, root = packageRoot): string {
  const dir = dirname(resolve(target));
  const own = within(dir, root) && !dir.split(sep).includes('node_modules');
  const project = nearest(dir, join('node_modules', PACKAGE_NAME)) ?? nearest(dir, 'package.json') ?? dir;
  const schema = own ? join(root, 'schema/topology.schema.json') : join(project, 'node_modules', PACKAGE_NAME, 'schema/topology.schema.json');
  const path = relative(dir, schema).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/** The project's package.json with gen's scripts (and gen as a dev dependency) added; undefined when it has them all. */
export function packageJsonWith(current: string | undefined, topology: string): { text: string; added: string[] } | undefined {
  const data = current === undefined ? { private: true } : (JSON.parse(current) as Record<string, unknown>);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('package.json is not a JSON object');
  const file = topology === 'topology.yaml' ? '' : ` ${topology}`;
  const wanted: Record<string, string> = {
    'topology:lint': `${PACKAGE_NAME} lint${file} --max-warnings 0`,
    'topology:build': `${PACKAGE_NAME} build${file}`,
    'topology:check': `${PACKAGE_NAME} build${file} --check`,
    'topology:diff': `${PACKAGE_NAME} diff${file}`,
  };
  const scripts = (data.scripts ?? {}) as Record<string, string>;
  const added = Object.keys(wanted).filter((name) => scripts[name] === undefined);
  const dev = (data.devDependencies ?? {}) as Record<string, string>;
  const deps = (data.dependencies ?? {}) as Record<string, string>;
  const needsDependency = dev[PACKAGE_NAME] === undefined && deps[PACKAGE_NAME] === undefined;
  if (added.length === 0 && !needsDependency) return undefined;
  data.scripts = { ...scripts, ...Object.fromEntries(added.map((name) => [name, wanted[name]!])) };
  if (needsDependency) {
    // Copied with a spread, then set: the user's own entries stay as they are,
    // in their order (Object.assign would hand a key named __proto__ to its setter).
    const devDependencies = { ...dev };
    devDependencies[PACKAGE_NAME] = `^${packageVersion()}`;
    data.devDependencies = devDependencies;
  }
  const indent = current === undefined ? 2 : (/^\{\s*\n([ \t]+)"/.exec(current)?.[1] ?? '  ');
  return { text: `${JSON.stringify(data, null, indent)}\n`, added: needsDependency ? [...added, `devDependencies.${PACKAGE_NAME}`] : added };
}

/** The commands of the README section for a global or npx way. */
export function readmeCommands(way: Exclude<Way, 'dev'>, topology: string): string {
  const gen = way === 'npx' ? `npx ${PACKAGE_NAME}` : 'gen';
  return `${gen} lint ${topology} && ${gen} build ${topology}`;
}

/** The README with a section that says how to check and build the topology; undefined when it already says so. */
export function readmeWith(current: string | undefined, way: Exclude<Way, 'dev'>, topology: string): string | undefined {
  const commands = readmeCommands(way, topology);
  if (current?.includes(commands)) return undefined;
  const install = way === 'npx' ? `npx runs it without installing` : `install it once with \`npm install -g ${PACKAGE_NAME}\``;
  const section = `## Infrastructure\n\n\`${topology}\` describes the infrastructure. gen (the npm package ${PACKAGE_NAME}; ${install}) checks it and writes the configuration to \`out/\`:\n\n\`\`\`sh\n${commands}\n\`\`\`\n`;
  if (current === undefined || current === '') return section;
  return `${current.endsWith('\n') ? current : `${current}\n`}\n${section}`;
}

export function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
