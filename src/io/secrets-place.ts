// Where the secrets directory may be: never in an output tree. out/ is
// committed and reviewed, and gen replaces it on every build, so a private
// key written there is published with the next commit (and the next build
// refuses the tree, which then holds a file its MANIFEST does not list).
// Every command that takes --secrets refuses, before it reads or writes a
// key, a secrets directory that is an output tree, lies inside one, or
// holds one: a directory with a MANIFEST gen wrote, the topology's output
// directory (out/ beside it) whether it exists yet or not, and out/ here
// (where gen build writes by default) once a build wrote it. Below the secrets
// directory only the directories of gen's key layout are looked at
// (`<site>/wireguard/<instance>/peers`), never the whole tree.
import { readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { UsageError } from './errors.js';
import { holdsGenManifest, outputTreeAbove } from './output-path.js';
import { realPath, within } from './real-paths.js';

/** The directories in `dir` (no links followed); none when it cannot be listed. */
function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(dir, entry.name));
  } catch {
    return [];
  }
}

/** An output tree gen wrote among the directories of the key layout in `dir`: `<site>`, `<site>/wireguard`, `<site>/wireguard/<instance>` and its `peers`. */
function treeInLayout(dir: string): string | undefined {
  for (const site of subdirectories(dir)) {
    const wireguard = join(site, 'wireguard');
    const found = [site, wireguard].find((d) => holdsGenManifest(d));
    if (found !== undefined) return found;
    for (const instance of subdirectories(wireguard)) {
      const below = [instance, join(instance, 'peers')].find((d) => holdsGenManifest(d));
      if (below !== undefined) return below;
    }
  }
  return undefined;
}

/** A path as the user would type it: relative to here when it lies below, else absolute. */
function shown(path: string): string {
  const here = relative(process.cwd(), path);
  return here === '' ? '.' : here.startsWith('..') || isAbsolute(here) ? path : here;
}

/**
 * Refuses a secrets directory in an output tree (see the top of this file):
 * a usage error, exit 2. `given` says whether --secrets named it (else it is
 * .secrets beside the topology).
 */
export function checkSecretsPlace(secrets: string, topology: string, given: boolean): void {
  const refuse = (relation: string, what: string): never => {
    const fix = given
      ? 'give --secrets a directory of its own outside every output tree, or leave it out to keep the keys in .secrets beside the topology'
      : 'name a secrets directory outside it with --secrets DIR';
    throw new UsageError(
      `refusing the secrets directory ${secrets}: it ${relation} ${what}, which gen replaces on every build and which is committed to git, so a private key there would be published: ${fix}`,
    );
  };
  const real = realPath(secrets);
  // out/ here only once a build wrote it: the secrets directory holds it then. Before that it is only a
  // name under the current directory, which may be the secrets directory itself (gen wg list ../topology.yaml).
  const outputs = [join(dirname(topology), 'out'), ...(holdsGenManifest('out') ? ['out'] : [])];
  for (const output of outputs) {
    const outReal = realPath(output);
    if (real === outReal) refuse('is', `the output directory ${output}`);
    if (within(real, outReal)) refuse('is inside', `the output directory ${output}`);
    if (within(outReal, real)) refuse('holds', `the output directory ${output}`);
  }
  const above = outputTreeAbove(real);
  if (above !== undefined) refuse(above === real ? 'is' : 'is inside', `the output tree ${shown(above)} (its MANIFEST is gen's)`);
  const below = treeInLayout(real);
  if (below !== undefined) refuse('holds', `the output tree ${shown(below)} (its MANIFEST is gen's)`);
}
