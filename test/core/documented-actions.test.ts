// The GitHub Actions the documentation's workflows use, checked against the
// actions' own repositories: each `uses:` names a tag that exists and runs on
// the runtime of the action's newest major version (GitHub deprecates the
// older Node runtimes: a workflow on them warns, then stops running), and takes
// every input the step passes it; a job that uploads SARIF has the permissions
// the upload action asks for.
// ACTIONS_MIRROR is a directory of bare git mirrors named <owner>+<name>/repo
// (actions+checkout/repo, actions+setup-node/repo, github+codeql-action/repo);
// without it these tests skip and say why.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { root } from '../helpers.js';
import { codeBlocks } from './documented-commands.js';

const mirror = process.env.ACTIONS_MIRROR;
const why = mirror ? undefined : 'ACTIONS_MIRROR (bare mirrors of the actions the docs use) is not set';

interface Use {
  page: string;
  owner: string;
  name: string;
  /** The action's directory in its repository ('' for the root). */
  dir: string;
  ref: string;
}

const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Every step with `uses:` in a page's YAML blocks, with the inputs it passes (`with:`). */
function steps(value: unknown): { uses: string; with?: Record<string, unknown> }[] {
  if (Array.isArray(value)) return value.flatMap(steps);
  if (value === null || typeof value !== 'object') return [];
  const step = value as { uses?: unknown; with?: Record<string, unknown> };
  return typeof step.uses === 'string' ? [step as { uses: string }] : Object.values(value).flatMap(steps);
}

function documentedUses(): (Use & { inputs: string[] })[] {
  return pages.flatMap((page) =>
    codeBlocks(readFileSync(join(root, page), 'utf8'))
      .filter((b) => b.lang === 'yaml' && b.text.includes('uses:'))
      .flatMap((b) => steps(parse(b.text)))
      .map((step) => {
        const m = /^([\w.-]+)\/([\w.-]+)((?:\/[\w.-]+)*)@([\w.-]+)$/.exec(step.uses)!;
        return { page, owner: m[1]!, name: m[2]!, dir: (m[3] ?? '').replace(/^\//, ''), ref: m[4]!, inputs: Object.keys(step.with ?? {}) };
      }),
  );
}

function git(use: Use, ...args: string[]): { ok: boolean; out: string } {
  const dir = join(mirror!, `${use.owner}+${use.name}`, 'repo');
  if (!existsSync(dir)) throw new Error(`no mirror of ${use.owner}/${use.name} in ACTIONS_MIRROR`);
  const r = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { ok: r.status === 0, out: r.stdout };
}

interface ActionYml {
  runs: { using: string };
  inputs?: Record<string, { description?: string }>;
}

function actionYml(use: Use, ref: string): ActionYml | undefined {
  for (const file of ['action.yml', 'action.yaml']) {
    const shown = git(use, 'show', `${ref}:${use.dir ? `${use.dir}/` : ''}${file}`);
    if (shown.ok) return parse(shown.out) as ActionYml;
  }
  return undefined;
}

function newestMajor(use: Use): string {
  const majors = git(use, 'tag', '--list', 'v*').out.split('\n').filter((t) => /^v\d+$/.test(t));
  return majors.sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)))[0]!;
}

describe.skipIf(why)(`GitHub Actions in the docs${why ? ` (skipped: ${why})` : ''}`, () => {
  const uses = documentedUses();

  it('each documented action exists at its tag, runs on the runtime of its newest major version and takes the inputs given', () => {
    expect(uses.length).toBeGreaterThan(3);
    for (const use of uses) {
      const where = `${use.page}: ${use.owner}/${use.name}${use.dir ? `/${use.dir}` : ''}@${use.ref}`;
      const documented = actionYml(use, use.ref);
      expect(documented, `${where}: no such action at that tag`).toBeDefined();
      const newest = actionYml(use, newestMajor(use))!.runs.using;
      expect(documented!.runs.using, `${where}: its runtime; ${newestMajor(use)} runs on ${newest}`).toBe(newest);
      for (const input of use.inputs) expect(Object.keys(documented!.inputs ?? {}), `${where}: input ${input}`).toContain(input);
    }
  });

  it("a workflow that uploads SARIF grants the permissions the upload action's token and API calls need", () => {
    const ci = readFileSync(join(root, 'docs/ci.md'), 'utf8');
    const workflow = parse(codeBlocks(ci).find((b) => b.text.startsWith('name: topology'))!.text) as { permissions: Record<string, string> };
    const upload = uses.find((u) => u.page === 'docs/ci.md' && u.dir === 'upload-sarif')!;
    expect(upload).toBeDefined();
    // The token input names the permission the workflow must have ("the workflow must have the `security-events: write` permission").
    const token = actionYml(upload, upload.ref)!.inputs?.token?.description ?? '';
    const named = [...token.matchAll(/`([a-z-]+): (read|write)` permission/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(named.length).toBeGreaterThan(0);
    // The upload reads its own workflow run (GET /repos/{owner}/{repo}/actions/runs/{run_id}) to name the analysis: in a
    // private repository that needs `actions: read`, which a permissions block grants only when it lists it.
    const readsRuns = git(upload, 'grep', '-l', '/actions/runs/', upload.ref, '--', 'src').out.trim() !== '';
    const needed = [...named, ...(readsRuns ? [['actions', 'read'] as const] : []), ['contents', 'read'] as const];
    for (const [scope, level] of needed) expect(String(workflow.permissions[scope]), `permissions: ${scope}`).toMatch(level === 'read' ? /^(read|write)$/ : /^write$/);
  });
});
