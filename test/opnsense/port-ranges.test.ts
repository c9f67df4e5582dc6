// The port ranges ports/range lets through are ranges OPNsense's rule
// compiler maps. gen writes a range as the topology has it; Firewall/Rule.php
// mapAddressInfo() (25.7 to 26.7) writes it into the ruleset, "a-b" as
// "a:b", only where Util::isPort() takes it, and otherwise disables the rule
// ("Unable to map port"). Util.php of each release's tag runs here in php.
// Needs OPNSENSE_CORE_GIT and php; skips loudly without them.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings.js';
import type { Model } from '../../src/model.js';
import { ruleById } from '../../src/rules/index.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { hasCommand } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const coreGit = process.env.OPNSENSE_CORE_GIT;
const why = !coreGit ? 'OPNSENSE_CORE_GIT is not set' : !hasCommand('php') ? 'needs php' : undefined;
if (why) process.stderr.write(`\n*** skipped: port ranges against OPNsense's Util::isPort(): ${why} ***\n\n`);

const RANGES = ['80-443', '1-65535', '8000-8000', '0080-0443', '080-443', '80-0443', '0100-0200'];

/** The ranges of RANGES that ports/range reports, in a policy rule's ports. */
function reported(): string[] {
  const model = { sites: [{ hosts: [], policy: { rules: [{ ports: RANGES, path: ['sites', 0, 'policy', 'rules', 0] }] } }] } as unknown as Model;
  const found: Finding[] = [];
  ruleById.get('ports/range')!.check!(model, (f) => found.push(f as Finding));
  return found.map((f) => RANGES[Number(f.path.at(-1))]!);
}

/** Util::isPort() of the release `tag` on each range as Rule.php hands it over ("a:b"). */
function isPort(tag: string, ranges: readonly string[]): boolean[] {
  const util = join(tempDir('gen-port-ranges-'), 'Util.php');
  const source = spawnSync('git', ['--git-dir', coreGit!, 'show', `${tag}:src/opnsense/mvc/app/library/OPNsense/Firewall/Util.php`], { encoding: 'utf8' });
  expect(source.status, source.stderr).toBe(0);
  writeFileSync(util, source.stdout);
  const script = 'require $argv[1]; foreach (json_decode(stream_get_contents(STDIN)) as $p) echo json_encode(OPNsense\\Firewall\\Util::isPort(str_replace("-", ":", $p))), "\\n";';
  const run = spawnSync('php', ['-r', script, util], { input: JSON.stringify(ranges), encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line) as boolean);
}

describe.skipIf(why)(`port ranges against OPNsense's Util::isPort()${why ? ` (skipped: ${why})` : ''}`, () => {
  it.each(['25.7', '26.1', '26.7'])('%s: every range ports/range lets through is one OPNsense maps; one with a leading zero is neither', (series) => {
    const facts = releaseFacts(series)!;
    const mapped = isPort(`${facts.series}.${facts.point}`, RANGES);
    const refused = new Set(reported());
    expect(RANGES.filter((r, i) => !refused.has(r) && !mapped[i])).toEqual([]);
    // The upstream fact the rule stands on: FILTER_VALIDATE_INT takes no leading zero.
    expect(RANGES.filter((_, i) => !mapped[i])).toEqual(['0080-0443', '080-443', '80-0443', '0100-0200']);
  });
});
