// OPNsense's own code loads gen's aliases into pf tables, and the tables
// it loads are the ones the verification script expects: on every topology
// the OPNsense checks run on, for 25.7.11, 26.1.11 and 26.7.2, the merged
// config.xml goes through OPNsense's template (OPNsense/Filter/
// filter_tables.conf, rendered by test/tools/opnsense-php/render.py) and
// its scripts/filter/update_tables.py (test/tools/opnsense-php/
// update-tables.py, with pfctl standing in): what it hands `pfctl -T
// replace`, printed as pfctl prints a table, is the set each table check
// expects, no alias of gen's sends a name to DNS, and the script passes on
// a box holding those tables.
// Needs OPNSENSE_CORE_GIT, php and python3 with jinja2; skips loudly without them.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintText } from '../../src/pipeline.js';
import { renderAll } from '../../src/render/index.js';
import { expectedTables } from '../../src/render/verify/firewall-tables.js';
import { root } from '../helpers.js';
import { hasCommand } from '../system-tools.js';
import { CONFIG_CASES, UPSTREAM_RELEASES, mergedFactoryConfig, withRelease } from '../opnsense/support.js';
import { closeTemplateServers, renderTemplate, updateTables } from '../opnsense/upstream-tools.js';
import { healthyFirewall, standInBox } from './firewall-box.js';
import { pfctlTableShow } from './freebsd.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const coreGit = process.env.OPNSENSE_CORE_GIT;
const jinja = hasCommand('python3') && spawnSync('python3', ['-c', 'import jinja2']).status === 0;
const why = !coreGit ? 'OPNSENSE_CORE_GIT is not set' : !hasCommand('php') ? 'php is missing' : !jinja ? 'python3-jinja2 is missing' : undefined;
const tools = join(root, 'test/tools/opnsense-php');
const cache = join(tmpdir(), 'gen-opnsense-php-verify');

const work = tempDir('gen-verify-tables-');
afterAll(() => closeTemplateServers());
let runs = 0;

/** What OPNsense loads into each pf table for a config.xml, and the names it asked DNS for. */
async function loadTables(config: string, tag: string): Promise<{ tables: Record<string, string[]>; dns: string[] }> {
  const dir = join(work, `run-${runs++}`);
  const release = join(cache, tag, 'root');
  const file = join(work, `config-${runs}.xml`);
  writeFileSync(file, config);
  const render = await renderTemplate(release, file, join(dir, 'etc'), 'OPNsense.Filter');
  expect(render.status, render.stderr).toBe(0);
  const r = await updateTables(release, join(dir, 'etc/usr/local/etc/filter_tables.conf'), join(dir, 'tables'));
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { result: { status: string }; tables: Record<string, string[]>; dns: string[] };
  expect(out.result.status).toBe('ok');
  return out;
}

describe.skipIf(why)(`the pf tables OPNsense loads for gen's aliases${why ? ` (skipped: ${why})` : ''}`, () => {
  beforeAll(() => {
    const env = { ...process.env, OPNSENSE_PHP_CACHE: cache };
    for (const { tag } of UPSTREAM_RELEASES) {
      const setup = spawnSync('bash', [join(tools, 'setup.sh'), tag], { encoding: 'utf8', env });
      expect(setup.status, setup.stderr).toBe(0);
    }
  });
  for (const { tag, release } of UPSTREAM_RELEASES) {
    it.each(CONFIG_CASES.map((c) => [c.name, c.yaml] as const))(`${tag}: %s`, async (name, yaml) => {
      const merged = await mergedFactoryConfig(yaml(), tag, release, coreGit!);
      const { model } = await lintText(withRelease(yaml(), release));
      const site = model!.sites[0]!;
      const expected = expectedTables(model!, site);
      const loaded = await loadTables(merged, tag);
      // Static content only: OPNsense never waits on DNS for an alias of gen's.
      expect(loaded.dns).toEqual([]);
      // Every gen table OPNsense loads is one the script checks, and the other way round.
      expect(Object.keys(loaded.tables).filter((t) => t.startsWith('gen_')).sort()).toEqual(expected.filter((t) => t.entries.length > 0).map((t) => t.name).sort());
      const shown = (t: string) => pfctlTableShow(loaded.tables[t] ?? []).split('\n').map((l) => l.trim()).filter(Boolean).sort();
      for (const table of expected) expect(shown(table.name), table.name).toEqual([...table.entries].sort());

      // The script on a box holding those tables: every table check passes.
      if (expected.length === 0) return;
      const files = healthyFirewall(model!, site);
      for (const table of expected) files.set(`pfctl-table/${table.name}`, pfctlTableShow(loaded.tables[table.name] ?? []));
      const script = join(work, `script-${runs}.sh`);
      writeFileSync(script, renderAll(model!).get(`${site.name}/verify/firewall-opnsense.sh`)!);
      const { bin, fixtures } = standInBox(join(work, `box-${runs}`), files);
      const r = spawnSync('dash', [script, '--rules-debug', join(fixtures, 'rules.debug')], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, FIXTURES: fixtures } });
      const tableLines = r.stdout.split('\n').filter((l) => / \(pf table </.test(l));
      expect(tableLines, `${name}\n${r.stdout}`).toHaveLength(expected.length);
      for (const l of tableLines) expect(l, r.stdout).toMatch(/^✓ /);
    });
  }
});
