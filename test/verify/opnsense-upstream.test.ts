// OPNsense's own compiler (filter_configure_sync() of 25.7.11, 26.1.11 and
// 26.7.2, run by test/tools/opnsense-php) on scenario A merged into each
// release's factory config: every filter rule gen writes is compiled, not
// commented out, under the label the verification script looks for, and
// the MSS clamp compiles to scrub rules on the WireGuard group with
// max-mss = MTU - 40 (IPv4) and MTU - 60 (IPv6). With WireGuard disabled,
// OPNsense comments the group's scrub rules out without a word: the
// verification script reports them missing.
// Needs OPNSENSE_CORE_GIT (a git dir of opnsense/core) and php; skips
// loudly without them (CI has no upstream snapshot).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lintText } from '../../src/pipeline.js';
import { opnsenseContext } from '../../src/render/opnsense/context.js';
import { mssClamps } from '../../src/render/opnsense/scrub.js';
import { renderAll } from '../../src/render/index.js';
import { expectedRules } from '../../src/render/verify/firewall-rules.js';
import { root } from '../helpers.js';
import { hasCommand } from '../system-tools.js';
import { gen } from '../wireguard/cli.js';
import { healthyFirewall, standInBox } from './firewall-box.js';
import { macros, pfPrint } from './pf-print.js';
import { CONFIG_CASES, UPSTREAM_RELEASES, factoryConfig, mergedFactoryConfig, withRelease } from '../opnsense/support.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const coreGit = process.env.OPNSENSE_CORE_GIT;
const why = !coreGit ? 'OPNSENSE_CORE_GIT is not set' : !hasCommand('php') ? 'php is missing' : undefined;
const tool = join(root, 'test/tools/opnsense-php/run.sh');

const work = tempDir('gen-verify-opnsense-');

/** The ruleset OPNsense compiled (rules.debug), from the tool's report. */
function ruleset(report: string): string[] {
  const lines = report.split('\n');
  const start = lines.findIndex((l) => l.startsWith('##### pf ruleset'));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('##### '));
  return lines.slice(start + 1, end);
}

const compiled = new Map<string, string[]>();
/**
 * The ruleset OPNsense compiles from a config.xml: steps 1-3 of the tool (migrations, plugin interfaces,
 * filter_configure_sync), without its model validation, which no test here reads. The same config is
 * compiled once (several tests read one merged config's ruleset).
 */
function compile(config: string, tag: string): string[] {
  const key = `${tag}\n${config}`;
  const known = compiled.get(key);
  if (known) return known.slice();
  const file = join(work, `${tag}-${compiled.size}.xml`);
  writeFileSync(file, config);
  const env = { ...process.env, OPNSENSE_PHP_CACHE: join(tmpdir(), 'gen-opnsense-php-verify'), OPN_NO_VALIDATE: '1' };
  const r = spawnSync('bash', [tool, file, tag], { encoding: 'utf8', env });
  expect(r.status, r.stderr).not.toBe(2);
  const lines = ruleset(r.stdout);
  compiled.set(key, lines);
  return lines;
}

describe.skipIf(why)(`OPNsense's compiler on gen's rules and MSS clamp${why ? ` (skipped: ${why})` : ''}`, () => {
  for (const { tag, release } of UPSTREAM_RELEASES) {
    describe(tag, () => {
      let merged = '';
      let topology = '';

      beforeAll(async () => {
        const dir = mkdtempSync(join(work, `${tag}-`));
        topology = join(dir, 'topology.yaml');
        copyFileSync(join(root, 'topology.yaml'), topology);
        let text = readFileSync(topology, 'utf8');
        text = text.replace(/release: "[0-9.]+"/, `release: "${release}"`);
        expect((await lintText(text)).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        writeFileSync(topology, text);
        expect((await gen('wg', 'keygen', '--instance', 'wg0', '--force', '-f', topology)).code).toBe(0);
        const base = join(dir, 'config.xml');
        writeFileSync(base, factoryConfig(coreGit!, tag));
        const out = join(dir, 'merged.xml');
        // (The factory web GUI holds 443 and 80, which HAProxy binds: irrelevant to the filter rules compiled here.)
        const merge = await gen('opnsense', 'merge', '--base', base, '-o', out, '-f', topology, '--allow-gui-port-conflict');
        expect(merge.code, merge.stderr).toBe(0);
        merged = readFileSync(out, 'utf8');
      });

      it('compiles every filter rule under the label the verification script expects', async () => {
        const { model } = await lintText(readFileSync(topology, 'utf8'));
        const site = model!.sites[0]!;
        const lines = compile(merged, tag);
        const expected = expectedRules(model!, site);
        expect(expected.length).toBeGreaterThan(5);
        for (const rule of expected) {
          const line = lines.find((l) => l.includes(`label "${rule.label}"`));
          expect(line, `${rule.description}: label ${rule.label}`).toBeDefined();
          expect(line!.startsWith('#'), line).toBe(false);
          expect(line).toContain(`# ${rule.description}`);
        }
      });

      it('pf loads every rule gen writes as the verification script expects it (pfctl -P -sr)', async () => {
        const { model } = await lintText(readFileSync(topology, 'utf8'));
        const lines = compile(merged, tag);
        const defs = macros(lines);
        for (const rule of expectedRules(model!, model!.sites[0]!)) {
          const loaded = lines.filter((l) => l.includes(`label "${rule.label}"`)).flatMap((l) => pfPrint(l, defs));
          const text = loaded.map((l) => l.replace(` label "${rule.label}"`, '')).sort();
          expect(text, rule.description).toEqual([...rule.pf].sort());
        }
      });

      it('the script passes on the compiled rules, and names a rule edited on the box with its difference', async () => {
        const { model } = await lintText(readFileSync(topology, 'utf8'));
        const site = model!.sites[0]!;
        const rule = expectedRules(model!, site).find((r) => r.pf.some((t) => t.endsWith('port = 443 flags S/SA keep state')))!;
        // The GUI edit: the same rule (uuid kept on 26.7), port 8443.
        let done = false;
        const edited = merged.replace(/<rule\b[^>]*>(?:(?!<\/rule>)[\s\S])*<\/rule>/g, (block) => {
          if (done || !block.includes(`>${rule.description}<`) || !/<(destination_port|port)>443</.test(block)) return block;
          done = true;
          return block.replace(/<(destination_port|port)>443<\/\1>/, '<$1>8443</$1>');
        });
        expect(edited).not.toBe(merged);
        const box = (config: string) => {
          const lines = compile(config, tag);
          const defs = macros(lines);
          const files = healthyFirewall(model!, site);
          const genLabels = new Set(expectedRules(model!, site).map((r) => r.label));
          const loaded = files.get('pfctl-sr')!.split('\n').filter((l) => !genLabels.has(/label "([^"]*)"/.exec(l)?.[1] ?? ''));
          const compiled = lines.filter((l) => /^(pass|block) /.test(l) && l.includes(' # gen: ')).flatMap((l) => pfPrint(l, defs));
          files.set('pfctl-sr', loaded.concat(compiled).join('\n'));
          files.set('rules.debug', lines.join('\n'));
          return files;
        };
        const script = join(work, `${tag}-firewall.sh`);
        writeFileSync(script, renderAll(model!).get(`${site.name}/verify/firewall-opnsense.sh`)!);
        const run = (config: string, name: string) => {
          const { bin, fixtures } = standInBox(join(work, `${tag}-${name}`), box(config));
          const r = spawnSync('dash', [script, '--rules-debug', join(fixtures, 'rules.debug')], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, FIXTURES: fixtures } });
          return r.stdout.split('\n').filter((l) => l.startsWith('✗') && / loaded as written: /.test(l));
        };
        expect(run(merged, 'as-merged')).toEqual([]);
        const failed = run(edited, 'edited');
        expect(failed).toHaveLength(1);
        // 26.7: the uuid stays, pf shows the other port under it; up to 26.1 the label (a hash of the rule) changes.
        expect(failed[0]).toContain(`✗ rule ${rule.label.slice(0, 8)} loaded as written: ${rule.description}`);
        expect(failed[0]).toMatch(release === '26.7' ? /: changed on the box: pf has "port = 8443" where gen wrote "port = 443" \(pass in quick on vtnet0 inet proto tcp from any to \(vtnet0\) port = 8443 flags S\/SA keep state\)$/ : /: not loaded: the box has a rule with this description under label [0-9a-f]{32}, so it differs from what gen wrote/);
      });

      it('compiles the MSS clamp to scrub rules on the WireGuard group', async () => {
        const { model } = await lintText(readFileSync(topology, 'utf8'));
        const site = model!.sites[0]!;
        const clamps = mssClamps(opnsenseContext(model!, site, site.firewall!));
        expect(clamps.map((c) => [c.family, `${c.src}/${c.srcmask}`, c.maxMss])).toEqual([
          ['inet', '0.0.0.0/1', site.wireguard[0]!.mtu - 40],
          ['inet', '128.0.0.0/1', site.wireguard[0]!.mtu - 40],
          ['inet6', '::/1', site.wireguard[0]!.mtu - 60],
          ['inet6', '8000::/1', site.wireguard[0]!.mtu - 60],
        ]);
        const scrubs = compile(merged, tag).filter((l) => /scrub/.test(l));
        for (const c of clamps) {
          const pattern = new RegExp(`^scrub on (\\{ )?wireguard( \\})? +proto tcp from ${c.src.replace(/\./g, '\\.')}/${c.srcmask} to any +max-mss ${c.maxMss} *$`);
          expect(scrubs.filter((l) => pattern.test(l)), `${pattern}\n${scrubs.join('\n')}`).toHaveLength(1);
        }
        // Before OPNsense's default "scrub in all": pf applies the first scrub rule that matches.
        expect(scrubs.findIndex((l) => l.startsWith('scrub in all'))).toBe(clamps.length);
      });

      it('comments the group clamp out when WireGuard is disabled (the script then reports it missing)', () => {
        const disabled = merged.replace(/(<general[^>]*>\s*<enabled>)1(<\/enabled>)/, '$10$2');
        expect(disabled).not.toBe(merged);
        const scrubs = compile(disabled, tag).filter((l) => /scrub/.test(l) && /max-mss/.test(l));
        expect(scrubs).toHaveLength(4);
        for (const l of scrubs) expect(l.startsWith('#scrub'), l).toBe(true);
      });
    });
  }
});

// The same comparison on every topology the OPNsense checks run on (the examples, a site-to-site VPN, one with
// every item): each rule gen writes, compiled by OPNsense and printed as pfctl prints it, is the text the
// verification script expects, so the script cannot fail a correct box on any shape of rule gen writes.
describe.skipIf(why)(`pf's text of every rule gen writes, on every topology${why ? ` (skipped: ${why})` : ''}`, () => {
  for (const { tag, release } of UPSTREAM_RELEASES) {
    it.each(CONFIG_CASES.map((c) => [c.name, c.yaml] as const))(`${tag}: %s`, async (_name, yaml) => {
      const merged = await mergedFactoryConfig(yaml(), tag, release, coreGit!);
      const { model } = await lintText(withRelease(yaml(), release));
      const lines = compile(merged, tag);
      const defs = macros(lines);
      const expected = expectedRules(model!, model!.sites[0]!);
      expect(expected.length).toBeGreaterThan(3);
      for (const rule of expected) {
        const loaded = lines.filter((l) => !l.startsWith('#') && l.includes(`label "${rule.label}"`)).flatMap((l) => pfPrint(l, defs));
        expect(loaded.map((l) => l.replace(` label "${rule.label}"`, '').replace(/ reply-to \([^)]*\)/, '')).sort(), rule.description).toEqual([...rule.pf].sort());
      }
    });
  }
});
