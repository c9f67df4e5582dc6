// Every shell script gen writes passes shellcheck, at every severity, for
// the example topologies and variants that reach each code path.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { edit, readExample, render } from '../helpers.js';
import { attempt, missing } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const why = missing(['shellcheck'], false);
const work = tempDir('gen-shellcheck-');

const homelab = readExample('homelab');
const hosting = readExample('vlan-hosting');
const VARIANTS: Record<string, () => string> = {
  'scenario A': () => homelab,
  'scenario B': () => hosting,
  'A with a created container, explicit NICs and every intent': () => {
    let text = edit(homelab, ['sites', 0, 'services', 3], {
      name: 'grafana', network: 'service', address: '10.1.0.120', port: 3000, container: 220,
      guest: { cores: 1, memory_mb: 1024, disk_gb: 8, onboot: false, create: true, template: 'local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst', dns: ['1.1.1.1', '9.9.9.9'] },
    });
    text = edit(text, ['sites', 0, 'firewall', 'vm', 'nics'], [{ bridge: 'vmbr0', mac: 'BC:24:11:00:00:01' }, { bridge: 'vmbr1' }, { bridge: 'vmbr2' }]);
    return edit(text, ['sites', 0, 'proxmox', 'api_tokens'], [
      { user: 'backup@pve', token: 'vzdump', intent: 'backup', privilege_separation: false, description: "it's \"quoted\" $(reboot) `x`" },
      { user: 'monitor@pve', token: 'exporter', intent: 'monitoring' },
    ]);
  },
  'B with a VM service on a VLAN': () => edit(hosting, ['sites', 0, 'services', 0, 'vm'], 400),
};

describe.skipIf(why)(`shellcheck passes every generated script${why ? ` (skipped: ${why})` : ''}`, () => {
  it.each(Object.keys(VARIANTS))('%s', async (name) => {
    const files = await render(VARIANTS[name]!());
    const scripts = [...files].filter(([path]) => path.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    const paths = scripts.map(([path, text]) => {
      const file = join(work, `${name.replace(/\W+/g, '-')}-${path.replace(/\//g, '_')}`);
      writeFileSync(file, text);
      return file;
    });
    const result = attempt('shellcheck', ['--severity=style', '--shell=bash', ...paths]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('reports a broken script (the check can fail)', () => {
    const file = join(work, 'broken.sh');
    writeFileSync(file, '#!/usr/bin/env bash\nfor f in $(ls *.conf); do echo $f; done\n');
    expect(attempt('shellcheck', [file]).status).toBe(1);
  });
});
