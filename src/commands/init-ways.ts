// How a project runs gen, as `gen init` records it: as a dev dependency
// (scripts in package.json, the way to pin gen's version per repository),
// installed globally, or one-off with npx (a line in the README). The
// schema line of the topology points into node_modules/gen-topology, a
// path that stays the same across versions and machines.
import { type Stats, existsSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ReportedError, UsageError, reasonOf } from '../io/errors.js';
import { readInputFile } from '../io/read-input.js';
import { PACKAGE_NAME, packageRoot, packageVersion } from '../paths.js';
import { shellQuoted } from '../io/shell-quoted.js';
import { type PackageJsonEdit, addToPackageJson } from './init-package-json.js';

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
export function packageJsonWith(current: string | undefined, topology: string): PackageJsonEdit | undefined {
  // npm runs a script with sh: the name is one word whatever it holds.
  const file = topology === 'topology.yaml' ? '' : ` ${shellQuoted(topology)}`;
  const wanted: Record<string, string> = {
    'topology:lint': `${PACKAGE_NAME} lint${file} --max-warnings 0`,
    'topology:build': `${PACKAGE_NAME} build${file}`,
    'topology:check': `${PACKAGE_NAME} build${file} --check`,
    'topology:diff': `${PACKAGE_NAME} diff${file}`,
  };
  const range = `^${packageVersion()}`;
  if (current !== undefined) return addToPackageJson(current, wanted, PACKAGE_NAME, range);
  const text = `${JSON.stringify({ private: true, scripts: wanted, devDependencies: { [PACKAGE_NAME]: range } }, null, 2)}\n`;
  return { text, added: [...Object.keys(wanted), `devDependencies.${PACKAGE_NAME}`] };
}

/** The commands of the README section for a global or npx way. */
export function readmeCommands(way: Exclude<Way, 'dev'>, topology: string): string {
  const gen = way === 'npx' ? `npx ${PACKAGE_NAME}` : 'gen';
  const file = shellQuoted(topology);
  return `${gen} lint ${file} && ${gen} build ${file}`;
}

/** What to append to the README for a section that says how to check and build the topology; undefined when it already says so. */
export function readmeAddition(current: string | undefined, way: Exclude<Way, 'dev'>, topology: string): string | undefined {
  const commands = readmeCommands(way, topology);
  if (current?.includes(commands)) return undefined;
  const install = way === 'npx' ? `npx runs it without installing` : `install it once with \`npm install -g ${PACKAGE_NAME}\``;
  const section = `## Infrastructure\n\n\`${topology}\` describes the infrastructure. gen (the npm package ${PACKAGE_NAME}; ${install}) checks it and writes the configuration to \`out/\`:\n\n\`\`\`sh\n${commands}\n\`\`\`\n`;
  if (current === undefined || current === '') return section;
  return inLineEndsOf(current, `${current.endsWith('\n') ? '' : '\n'}\n${section}`);
}

/** `text` (lines ended by \n) with the line ends of `file`: \r\n when it uses them. */
export function inLineEndsOf(file: string, text: string): string {
  return file.includes('\r\n') ? text.replace(/\n/g, '\r\n') : text;
}

/** A file gen init adds to, as read before anything is written. */
export interface ProjectFile {
  path: string;
  /** Its bytes and status when read; absent for a link to nothing. */
  read?: { bytes: Buffer; stat: Stats };
  /** What the path links to, when it is a symbolic link. */
  link?: string;
}

/**
 * The file gen init would add to at `path`, read before anything is
 * written, so that what cannot be read stops gen init with nothing
 * changed: undefined when nothing is there; a regular file, or a link
 * (followed only to read: gen init writes no link); anything else (a
 * directory, a pipe, a device) is refused, naming it.
 */
export function readProjectFile(path: string): ProjectFile | undefined {
  try {
    const own = lstatSync(path, { throwIfNoEntry: false });
    if (!own) return undefined;
    const link = own.isSymbolicLink() ? readlinkSync(path) : undefined;
    try {
      return { path, link, read: readInputFile(path) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (link !== undefined && (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP')) return { path, link };
      throw error;
    }
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${error.message}; gen init adds to a regular file only: move it away, then run gen init again`);
    if (error instanceof ReportedError) throw error;
    throw new ReportedError(`cannot read ${path}: ${reasonOf(error as NodeJS.ErrnoException)}`);
  }
}
