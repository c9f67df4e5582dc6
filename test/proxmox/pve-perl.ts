// Proxmox VE's own Perl for tests: test/tools/pve-perl extracts it from the
// upstream mirrors that PVE_MIRROR locates. Without them (CI has none) the
// tests that need it skip, and their title says why.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { root } from '../helpers.js';

const tool = join(root, 'test/tools/pve-perl');
const mirror = process.env.PVE_MIRROR;

/** Undefined when the upstream mirrors are there; else why tests that need them skip. */
export const whyNoUpstream: string | undefined = !mirror
  ? 'PVE_MIRROR is not set (the directory holding the proxmox+<repo>/repo git mirrors)'
  : !existsSync(join(mirror, 'proxmox+pve-common/repo'))
    ? `PVE_MIRROR=${mirror} has no proxmox+pve-common/repo`
    : undefined;

let cache: string | undefined;

/**
 * The extracted upstream code. setup.sh keeps it in a directory named after the commits and the script,
 * so it extracts (and runs upstream's own tests) once, not once per test file; each file still runs
 * setup.sh, and a missing Perl package fails here with the apt-get line.
 */
export function pvePerl(): { cache: string; commits: string } {
  if (!cache) {
    const env: NodeJS.ProcessEnv = { ...process.env, PVE_MIRROR: mirror };
    delete env.PVE_PERL_CACHE;
    cache = execFileSync('bash', [join(tool, 'setup.sh')], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }
  return { cache, commits: readFileSync(join(cache, 'COMMITS'), 'utf8') };
}

export interface OptcheckResult {
  line: string;
  ok: boolean;
  /** Proxmox's error message, or the note of a valid line ("prints as: …", "list: …"). */
  detail: string;
}

/** One optcheck.pl for the test file: it loads qemu-server, pve-container and pve-access-control once (0.2–0.4 s each time). */
interface Checker {
  child: ChildProcessWithoutNullStreams;
  answers: string[];
  stderr: string;
  exit?: string;
  wake?: () => void;
}
let checker: Checker | undefined;
let queue: Promise<unknown> = Promise.resolve();

function startChecker(): Checker {
  const child = spawn('bash', [join(tool, 'optcheck.sh')], { env: { ...process.env, PVE_PERL_CACHE: pvePerl().cache } });
  const c: Checker = { child, answers: [], stderr: '' };
  createInterface({ input: child.stdout }).on('line', (line) => {
    c.answers.push(line);
    c.wake?.();
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (c.stderr += text));
  child.on('close', (code) => {
    c.exit = `optcheck exited (${code}): ${c.stderr}`;
    c.wake?.();
  });
  return c;
}

async function check(lines: readonly string[]): Promise<OptcheckResult[]> {
  // optcheck.pl skips blank and comment lines: they would have no answer.
  const unanswered = lines.find((l) => /^\s*(#|$)/.test(l) || l.includes('\n'));
  if (unanswered !== undefined) throw new Error(`optcheck: not one check per line: ${JSON.stringify(unanswered)}`);
  // A Perl that died (a module that does not load) fails the check that killed it; the next check gets a new one.
  if (checker?.exit) checker = undefined;
  const c = (checker ??= startChecker());
  c.child.stdin.write(`${lines.join('\n')}\n`);
  const out: string[] = [];
  while (out.length < lines.length) {
    if (c.answers.length > 0) out.push(c.answers.shift()!);
    else if (c.exit) throw new Error(`${c.exit}\nanswered ${out.length} lines for ${lines.length}:\n${out.join('\n')}`);
    else await new Promise<void>((wake) => (c.wake = wake));
  }
  // Each answer repeats its line: a result is never matched to another test's input.
  return out.map((text, i) => {
    const line = lines[i]!.trim();
    if (text.startsWith(`ERROR ${line} => `)) return { line: lines[i]!, ok: false, detail: text.slice(`ERROR ${line} => `.length) };
    const ok = text.startsWith(`OK    ${line}`) ? /^(?: {2}\((.*)\))?$/.exec(text.slice(`OK    ${line}`.length)) : null;
    if (!ok) throw new Error(`optcheck answer not understood for ${line}: ${text}`);
    return { line: lines[i]!, ok: true, detail: ok[1] ?? '' };
  });
}

/** Checks the lines with optcheck.pl; one result per line, in order. */
export function optcheck(lines: readonly string[]): Promise<OptcheckResult[]> {
  const result = queue.then(() => check(lines));
  queue = result.catch(() => undefined);
  return result;
}

/** Ends the test file's optcheck.pl (call it after the file's tests). */
export async function stopOptcheck(): Promise<void> {
  const c = checker;
  checker = undefined;
  if (!c || c.exit) return;
  const closed = new Promise((done) => c.child.on('close', done));
  c.child.stdin.end();
  await closed;
}
