// What OPNsense does with the static routes of a merged config, by its own
// code (test/tools/opnsense-php/lib/static-routes.php): system_routing_configure()
// runs `route delete` and `route add` for each route get_staticroutes()
// admits, in turn. The kernel keeps a destination with its host bits cleared
// (FreeBSD rt_alloc(): rt_maskedcopy), so two routes whose networks differ
// only in their text are one route, and the later replaces the earlier: the
// box's own route to gen's destination must not be left beside gen's.
// Needs OPNSENSE_CORE_GIT, OPNSENSE_PLUGINS_GIT and php; skips loudly without them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { root } from '../helpers.js';
import { hasCommand } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { UPSTREAM_RELEASES, factoryConfig, releaseSections, withRoutesAndGroups } from './support.js';

removeTempDirsAfterAll();

const coreGit = process.env.OPNSENSE_CORE_GIT;
const why = !coreGit ? 'OPNSENSE_CORE_GIT is not set' : !process.env.OPNSENSE_PLUGINS_GIT ? 'OPNSENSE_PLUGINS_GIT is not set' : !hasCommand('php') ? 'needs php' : undefined;
if (why) process.stderr.write(`\n*** skipped: OPNsense's own routing of merged static routes: ${why} ***\n\n`);

const tools = join(root, 'test/tools/opnsense-php');
const env = { ...process.env, OPNSENSE_PHP_CACHE: process.env.OPNSENSE_PHP_CACHE ?? join(tmpdir(), 'gen-opnsense-php') };

/** The route(8) commands OPNsense issues for `config`, as [verb, destination, next hop]. */
function routeCommands(config: string, tag: string, work: string, name: string): string[][] {
  const file = join(work, `${name}.xml`);
  writeFileSync(file, config, { mode: 0o600 });
  mkdirSync(join(work, name));
  const r = spawnSync('php', [join(tools, 'lib/static-routes.php'), join(env.OPNSENSE_PHP_CACHE, tag, 'root'), file, join(work, name)], { encoding: 'utf8', env });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\/sbin\/route /, '').replace(/'/g, '').split(' ').filter((w) => w !== '-inet'));
}

describe.skipIf(why)(`OPNsense's own routing of merged static routes${why ? ` (skipped: ${why})` : ''}`, () => {
  it.each(UPSTREAM_RELEASES)("$tag: the box's route to gen's destination in another text leaves one route to it, gen's", async ({ tag, release }) => {
    const setup = spawnSync('bash', [join(tools, 'setup.sh'), tag], { encoding: 'utf8', env });
    expect(setup.status, setup.stderr).toBe(0);
    const work = tempDir('gen-static-routes-');
    const { sections, privateKey } = await releaseSections(withRoutesAndGroups(), release);
    const factory = factoryConfig(coreGit!, tag);
    // The box's own route (a UUID without gen's mark), unversioned: the box's to migrate.
    const withBoxRoute = (network: string, gateway: string) =>
      factory.replace(
        '</opnsense>',
        `  <staticroutes>\n    <route uuid="0b6f3c1e-2a4d-4e8f-9b1a-5c7d2e3f4a10">\n      <network>${network}</network>\n      <gateway>${gateway}</gateway>\n      <descr>lab</descr>\n      <disabled>0</disabled>\n    </route>\n  </staticroutes>\n</opnsense>`,
      );
    for (const network of ['172.16.0.5/16', '172.16.0.0/016']) {
      const name = network.replace(/\W/g, '_');
      // OPNsense takes the box's text for a route (is_subnet() admits host bits and a padded length): on its own it is applied.
      expect(routeCommands(withBoxRoute(network, 'Null4'), tag, work, `box${name}`)).toContainEqual(['add', '-blackhole', network, '127.0.0.1']);
      // Through the WAN's gateway, merged with gen's route to 172.16.0.0/16.
      const merged = mergeConfig(withBoxRoute(network, 'WAN_GW'), sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true });
      const commands = routeCommands(merged, tag, work, name);
      // In the merged config each destination is added once, 172.16.0.0/16 through gen's next hop.
      expect([network, commands.filter((c) => c[0] === 'add').map(([, ...rest]) => rest)]).toEqual([
        network,
        [
          ['default', '192.168.0.1'],
          ['172.16.0.0/16', '10.0.0.5'],
          ['203.0.113.0/24', '192.168.0.1'],
        ],
      ]);
    }
  });
});
