// The long files of a build (plan.json, a firewall's verification script,
// filter.xml) are written by one writer of parts (src/render/parts.ts): each
// part is handed over by it, once it holds PART characters, between two
// values, lines or elements. The checks weigh the parts, not time.
import { describe, expect, it, vi } from 'vitest';
import { scaleTopology, toYaml } from '../../bench/generate.mjs';
import { PLAN_FILE } from '../../src/paths.js';
import { renderAll, targets } from '../../src/render/index.js';
import { PART, TextParts } from '../../src/render/parts.js';
import { firewallScriptName } from '../../src/render/verify/firewall.js';
import { modelOf } from '../helpers.js';

describe('the parts of the long files of 2,000 peers and 4,000 rules', async () => {
  const model = await modelOf(toYaml(scaleTopology({ peers: 2000, rules: 4000, vlans: 20 })));
  const site = model.sites[0]!;
  const files = [PLAN_FILE, `${site.name}/verify/${firewallScriptName(site.firewall!)}`, `${site.name}/opnsense/filter.xml`];

  // Whether a part reaches the output from within the shared writer's end().
  const parts = new Map<string, { text: string; fromWriter: boolean }[]>(files.map((path) => [path, []]));
  let ending = 0;
  const end = TextParts.prototype.end;
  vi.spyOn(TextParts.prototype, 'end').mockImplementation(function (this: TextParts) {
    ending++;
    try {
      end.call(this);
    } finally {
      ending--;
    }
  });
  try {
    for (const target of targets.filter((t) => ['opnsense', 'verify', 'plan'].includes(t.name))) {
      target.render(model, {
        set: () => undefined,
        setParts: (path, write) => write((text) => void parts.get(path)?.push({ text, fromWriter: ending > 0 })),
      });
    }
  } finally {
    vi.restoreAllMocks();
  }
  const wholes = renderAll(model);

  it.each(files)('%s: each handed over by the shared writer, PART characters and a little more, the last shorter', (path) => {
    const whole = wholes.get(path)!;
    const written = parts.get(path)!;
    expect(written.map((p) => p.text).join('')).toBe(whole);
    expect(whole.length).toBeGreaterThan(5 * PART);
    expect(written.filter((p) => !p.fromWriter)).toEqual([]);
    // A part ends at the first place a part may end after PART characters: a value, a data line or an element later.
    for (const { text } of written.slice(0, -1)) {
      expect(text.length).toBeGreaterThanOrEqual(PART);
      expect(text.length).toBeLessThan(PART + 4096);
    }
    expect(written.at(-1)!.text.length).toBeLessThan(PART + 4096);
  });
});
