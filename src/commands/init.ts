// gen init: a commented starter topology (one of the reference examples),
// with the schema line for editors, a .gitignore beside it that keeps the
// secrets directory and Terraform's state out of git (lines it lacks are
// added to an existing one), and how the project runs gen: scripts in
// package.json for a dev dependency, or a README section for a global or
// npx install (init-ways.ts). Nothing is removed from an existing file and
// none of its bytes change: gen's lines are appended, its entries inserted
// (init-package-json.ts), and the file keeps its mode and owner. Every
// file is read, and refused when gen may not change it (a symbolic link,
// a directory, a read-only file), before anything is written.
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import { packageRoot } from '../paths.js';
import type { StagedWrite } from '../io/atomic-write.js';
import { ReportedError, UsageError } from '../io/errors.js';
import { deniedWriteMode } from '../io/may-write.js';
import { NotJsonError } from './init-package-json.js';
import { WAYS, type ProjectFile, type Way, detectWay, inLineEndsOf, nearest, packageJsonWith, readProjectFile, readmeAddition, readmeCommands, schemaPath } from './init-ways.js';
import { DEFAULT_TOPOLOGY } from './topology-arg.js';

const EXAMPLES = {
  homelab: 'topology.yaml',
  'vlan-hosting': 'examples/vlan-hosting.yaml',
  'aws-vpc': 'examples/aws-vpc.yaml',
  'homelab-family': 'examples/homelab-family.yaml',
} as const;

export function starterTopology(example: keyof typeof EXAMPLES, target: string): string {
  const text = readFileSync(resolve(packageRoot, EXAMPLES[example]), 'utf8');
  const body = text.replace(/^# yaml-language-server: \$schema=.*\n/, '');
  return `# yaml-language-server: $schema=${schemaPath(target)}\n${body}`;
}

/** What a repository with a topology must never commit. */
export const GITIGNORE_LINES = [
  '# private keys (gen wg): never in git',
  '.secrets/',
  '# Terraform state and working files in out/ (gen keeps them across builds)',
  '*.tfstate',
  '*.tfstate.*',
  '.terraform/',
  '*.auto.tfvars',
  '*.auto.tfvars.json',
  'terraform.tfvars',
  'terraform.tfvars.json',
];

/** The lines of GITIGNORE_LINES that `current` lacks (all of them for no .gitignore). */
export function gitignoreMissing(current: string | undefined): string[] {
  const have = new Set((current ?? '').split('\n').map((l) => l.trim()));
  return GITIGNORE_LINES.filter((line) => !line.startsWith('#') && !have.has(line));
}

/** What to append to the .gitignore `current` for every line of GITIGNORE_LINES; undefined when it has them all. */
export function gitignoreAddition(current: string | undefined): string | undefined {
  const missing = gitignoreMissing(current);
  if (missing.length === 0) return undefined;
  const lines = current === undefined || missing.length === GITIGNORE_LINES.filter((l) => !l.startsWith('#')).length ? GITIGNORE_LINES : ['# added by gen init', ...missing];
  const addition = `${current === undefined || current === '' || current.endsWith('\n') ? '' : '\n'}${lines.join('\n')}\n`;
  return current === undefined ? addition : inLineEndsOf(current, addition);
}

/** A change gen init makes to a file of the project: the bytes it appends or the whole new text, and what to tell the user. */
interface Change {
  path: string;
  /** The file as read; undefined when there is none. */
  existing: ProjectFile | undefined;
  content: Uint8Array;
  /** How the message says what was written. */
  note: string;
  /** The change said as what the user can do by hand instead. */
  yourself: string;
}

interface InitOptions {
  example: keyof typeof EXAMPLES;
  file?: string;
  output?: string;
  install?: Way;
  force?: boolean;
}

export function registerInitCommands(cli: Command, setExit: (code: number) => void): void {
  cli
    .command('init')
    .description('write a commented starter topology (with the schema line for editors), a .gitignore for the keys and Terraform state, and how the project runs gen (package.json scripts or a README section)')
    .argument('[file]', `topology file to write (default: ${DEFAULT_TOPOLOGY}); - prints it to standard output`)
    .option('-f, --file <topology>', 'topology file to write, as [file]')
    .option('-o, --output <file>', 'topology file to write, as [file]')
    .addOption(new Option('--example <name>', 'which reference topology to start from').choices(Object.keys(EXAMPLES)).default('homelab'))
    .addOption(new Option('--install <way>', 'how the project runs gen: dev (package.json scripts), global or npx (a README section); default: how this gen was started').choices([...WAYS]))
    .option('--force', 'overwrite an existing topology file')
    .action(async (positional: string | undefined, options: InitOptions) => {
      const named = [positional, options.file, options.output].filter((f): f is string => f !== undefined);
      if (new Set(named).size > 1) throw new UsageError(`several files to write given (${named.join(', ')}): name one`);
      const output = named[0] ?? DEFAULT_TOPOLOGY;
      if (output === '-') {
        process.stdout.write(starterTopology(options.example, DEFAULT_TOPOLOGY));
        setExit(0);
        return;
      }
      const { checkOutputPath } = await import('../io/output-path.js');
      const { defaultSecretsDir } = await import('../paths.js');
      const dir = dirname(output);
      // The new topology is the output: only the secrets directory and out/ beside it are off limits.
      const target = checkOutputPath(output, { secrets: defaultSecretsDir(output), outDir: join(dir, 'out'), force: options.force });
      const way = options.install ?? detectWay(dir);
      const { NotUtf8Error, utf8Text } = await import('../io/read-input.js');
      // Every file gen init adds to is read, and its change worked out, before
      // anything is written: one that cannot be read or changed stops gen init
      // with nothing written.
      const changes: Change[] = [];
      if (way === 'dev') {
        // Shown as the user would write it: relative to where gen runs.
        const path = relative(process.cwd(), join(nearest(dir, 'package.json') ?? dir, 'package.json')) || 'package.json';
        const existing = readProjectFile(path);
        const refuse = (reason: string) => new ReportedError(`cannot add gen's scripts to ${path}: ${reason}; fix it, or choose --install global or npx`);
        let current: string | undefined;
        try {
          current = existing?.read && utf8Text(existing.read.bytes, path);
        } catch (error) {
          if (error instanceof NotUtf8Error) throw refuse(`it is not UTF-8 (byte ${error.byte} at line ${error.line}, column ${error.col})`);
          throw error;
        }
        let next;
        try {
          next = packageJsonWith(current, relativeTopology(path, output));
        } catch (error) {
          if (!(error instanceof NotJsonError)) throw refuse((error as Error).message);
          // Loaded only for a package.json that is not JSON.
          const [{ jsonFault }, { lineAndColumn }] = await Promise.all([import('./json-fault.js'), import('../io/data-limits.js')]);
          const fault = jsonFault(error.text, error.parseError);
          if (fault === undefined) throw refuse(error.message);
          const { line, col } = lineAndColumn(error.text, fault.offset);
          throw refuse(`it is not JSON: ${path}:${line}:${col}: ${fault.what}`);
        }
        if (next) changes.push({ path, existing, content: Buffer.from(next.text, 'utf8'), note: `${path} (${next.added.join(', ')})`, yourself: 'add the scripts yourself, or choose --install global or npx' });
      } else {
        const path = join(dir, 'README.md');
        const existing = readProjectFile(path);
        // Appended as bytes: the README's own bytes stay as they are, whatever their encoding.
        const addition = readmeAddition(existing?.read?.bytes.toString('utf8'), way, basename(output));
        if (addition !== undefined) changes.push({ path, existing, content: appended(existing, addition), note: `${path} (how to run gen)`, yourself: `add the commands yourself: ${readmeCommands(way, output)}` });
      }
      const gitignore = join(dir, '.gitignore');
      const existingGitignore = readProjectFile(gitignore);
      const current = existingGitignore?.read?.bytes.toString('utf8');
      const addition = gitignoreAddition(current);
      if (addition !== undefined) {
        changes.unshift({
          path: gitignore,
          existing: existingGitignore,
          content: appended(existingGitignore, addition),
          note: existingGitignore ? `${gitignore} (added the secrets directory and Terraform state)` : gitignore,
          yourself: `add these lines yourself: ${gitignoreMissing(current).join(' ')}`,
        });
      }
      for (const change of changes) if (change.existing) checkChangeable(change.existing, change.yourself);
      const { stageWrite } = await import('../io/atomic-write.js');
      // All staged first (a full disk or a refused directory leaves every file as it was), then put in
      // place with the topology last: a run killed before it leaves only lines that the next gen init finds there.
      const staged: StagedWrite[] = [];
      try {
        for (const { path, existing, content } of changes) {
          const stat = existing?.read?.stat;
          staged.push(stat ? stageWrite(path, content, stat.mode & 0o7777, stat, { uid: stat.uid, gid: stat.gid }) : stageWrite(path, content, 0o644, 'nothing'));
        }
        staged.push(stageWrite(target, starterTopology(options.example, output), 0o644, options.force === true ? 'a regular file' : 'nothing', undefined, output));
      } catch (error) {
        for (const s of staged) s.discard();
        throw error;
      }
      const wrote: string[] = [];
      for (const [i, s] of staged.entries()) {
        try {
          s.commit();
        } catch (error) {
          for (const rest of staged.slice(i + 1)) rest.discard();
          if (wrote.length > 0 && error instanceof Error) error.message = `${error.message.replace(/; nothing was written$/, '')}; gen init had written ${wrote.join(', ')} already`;
          throw error;
        }
        wrote.push(i < changes.length ? changes[i]!.note : `${output} (${options.example})`);
      }
      // Named with the topology first, the file the user asked for.
      wrote.unshift(wrote.pop()!);
      const then = way === 'dev' ? `npm install, then npm run topology:lint` : readmeCommands(way, output);
      process.stderr.write(`gen: wrote ${wrote.join(', ')}; next: ${then}\n`);
      setExit(0);
    });
}

/** The topology as the scripts of `packageJson` name it: relative to its directory. */
function relativeTopology(packageJson: string, topology: string): string {
  return relative(dirname(resolve(packageJson)), resolve(topology)).split(sep).join('/');
}

/** `existing`'s bytes (none for a new file) with `addition` after them. */
function appended(existing: ProjectFile | undefined, addition: string): Buffer {
  return Buffer.concat([existing?.read?.bytes ?? Buffer.alloc(0), Buffer.from(addition, 'utf8')]);
}

/**
 * Refuses to change what gen init may not: a symbolic link (its target,
 * perhaps a key or /etc/passwd, is no file of the project's; a link to
 * nothing as well), and a file the user may not write (a read-only file is
 * kept read-only, not replaced).
 */
function checkChangeable(file: ProjectFile, yourself: string): void {
  if (file.link !== undefined) {
    throw new UsageError(`refusing to change ${file.path}: it is a symbolic link (to ${file.link}), and gen init changes only a regular file there; replace the link with a regular file and run gen init again, or ${yourself}`);
  }
  const mode = deniedWriteMode(file.path);
  if (mode !== undefined) {
    throw new ReportedError(`refusing to change ${file.path}: you may not write it (mode ${mode}); make it writable (chmod u+w ${file.path}) and run gen init again, or ${yourself}`);
  }
}
