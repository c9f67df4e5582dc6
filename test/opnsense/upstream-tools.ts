// OPNsense's own template engine and table loader (test/tools/opnsense-php:
// render.py, update-tables.py) for the tests, through one server.py per
// release tree: each render runs in a child forked from an interpreter that
// has loaded Jinja2 and the template engine once (starting Python and
// importing them was most of a render's CPU). Each answer is that one run's
// exit status, stdout and stderr, as from `python3 render.py ...`.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import { root } from '../helpers.js';

export const OPNSENSE_TOOLS = join(root, 'test/tools/opnsense-php');

export interface ToolRun {
  status: number;
  stdout: string;
  stderr: string;
}

let interpreter: string | undefined;
/** The interpreter `python3` names, resolved once: through a version manager's shim each start runs a shell script first. */
export function python(): string {
  if (interpreter === undefined) {
    const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
    interpreter = r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : 'python3';
  }
  return interpreter;
}

/** One server.py: requests answered in order, one line each. */
class Server {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (answer: { status: number }) => void; reject: (error: Error) => void; dir: string }[] = [];
  private readonly work = mkdtempSync(join(tmpdir(), 'gen-opnsense-render-'));
  private stderr = '';
  private runs = 0;

  constructor(private readonly tree: string) {
    this.proc = spawn(python(), [join(OPNSENSE_TOOLS, 'server.py'), tree]);
    this.proc.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.proc.stdout }).on('line', (line) => this.waiting.shift()?.resolve(JSON.parse(line) as { status: number }));
    const fail = (why: string) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`server.py ${tree}: ${why}${this.stderr ? `\n${this.stderr}` : ''}`));
    };
    this.proc.on('error', (e) => fail(e.message));
    this.proc.on('exit', (code, signal) => fail(`ended (${signal ?? code}) with requests unanswered`));
  }

  async run(script: 'render.py' | 'update-tables.py', args: readonly string[]): Promise<ToolRun> {
    const dir = join(this.work, String(this.runs++));
    const answer = new Promise<{ status: number }>((resolve, reject) => this.waiting.push({ resolve, reject, dir }));
    this.proc.stdin.write(`${JSON.stringify({ script, args, dir })}\n`);
    const { status } = await answer;
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    const result = { status, stdout: read('stdout'), stderr: read('stderr') };
    rmSync(dir, { recursive: true, force: true });
    return result;
  }

  close(): void {
    this.proc.stdin.end();
    rmSync(this.work, { recursive: true, force: true });
  }
}

const servers = new Map<string, Server>();
function server(tree: string): Server {
  let s = servers.get(tree);
  if (s === undefined) servers.set(tree, (s = new Server(tree)));
  return s;
}

/** `python3 render.py TREE CONFIG OUT MODULE`: what `configctl template reload MODULE` writes for CONFIG, under OUT. */
export function renderTemplate(tree: string, config: string, out: string, module: string): Promise<ToolRun> {
  return server(tree).run('render.py', [config, out, module]);
}

/** `python3 update-tables.py TREE CONF WORK`: what update_tables.py loads into pf's tables for filter_tables.conf CONF. */
export function updateTables(tree: string, conf: string, work: string): Promise<ToolRun> {
  return server(tree).run('update-tables.py', [conf, work]);
}

/** Ends every server (each file that renders calls it after its tests). */
export function closeTemplateServers(): void {
  for (const s of servers.values()) s.close();
  servers.clear();
}

/** What OPNsense's own code makes of a config's Unbound (unbound-hosts.php on what run.sh left), and run.sh's errors. */
export interface UnboundOnBox {
  errors: string[];
  enabled: string;
  version: string;
  port: string;
  /** The interface: lines unbound_generate_config() writes. */
  binds: string[];
  entries: string[];
  zones: string[];
}

/**
 * run.sh (migrations, validation) of release `tag` on `config`, then unbound-hosts.php on the config it left, in
 * `work` under `name`; `env` holds OPNSENSE_PHP_CACHE, where setup.sh put the release's tree.
 */
export function unboundOnBox(config: string, tag: string, work: string, name: string, env: NodeJS.ProcessEnv & { OPNSENSE_PHP_CACHE: string }): UnboundOnBox {
  const file = join(work, `${name}.xml`);
  const saved = join(work, `${name}-migrated.xml`);
  writeFileSync(file, config, { mode: 0o600 });
  const run = spawnSync('bash', [join(OPNSENSE_TOOLS, 'run.sh'), file, tag], { encoding: 'utf8', env: Object.assign({}, env, { OPN_SAVE_CONFIG: saved }) });
  expect(run.stdout).not.toMatch(/(migration|validation) FAILED/);
  const hostsRun = spawnSync('php', [join(OPNSENSE_TOOLS, 'lib/unbound-hosts.php'), join(env.OPNSENSE_PHP_CACHE, tag, 'root'), saved, join(work, `${name}-run`)], { encoding: 'utf8', env });
  expect(hostsRun.status, hostsRun.stderr).toBe(0);
  const lines = hostsRun.stdout.split('\n');
  return {
    errors: run.stdout.split('\n').filter((l) => l.startsWith('ERROR ')),
    enabled: lines.find((l) => l.startsWith('enabled '))!.slice(8),
    version: lines.find((l) => l.startsWith('version '))!.slice(8),
    port: lines.find((l) => l.startsWith('port '))!.slice(5),
    binds: lines.filter((l) => l.startsWith('bind ')).map((l) => l.slice(5)),
    entries: lines.filter((l) => l.startsWith('local-data')),
    zones: lines.filter((l) => l.startsWith('local-zone')),
  };
}
