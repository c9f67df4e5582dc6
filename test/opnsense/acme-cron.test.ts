// The ACME client's daily renewal job: the plugin makes it only when its
// settings page is applied (fetchCronIntegrationAction), never on a restore
// or a boot, and without it no certificate is issued or renewed. gen writes
// it, named in settings/UpdateCron, where the plugin looks first; and
// merge keeps one such job: a box's own (the one with the plugin's origin)
// keeps its UUID and schedule. OPNsense's own validation and crontab
// template on the result: opnsense-php.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { type XmlElement, attr, child, childrenNamed, textOf } from '../../src/render/opnsense/xml.js';
import { readExample, root } from '../helpers.js';
import { BOX_ACME_JOB, factorySample, releaseSections, withBoxCronJobs } from './support.js';

const sample = factorySample;

/** The Cron model's defaults for a job, from the release's verbatim model file (what Cron::newDailyJob starts from). */
function modelDefaults(release: string): Map<string, string> {
  const xml = readFileSync(join(root, 'test/opnsense/models', release, 'Cron/Cron.xml'), 'utf8');
  const job = /<job type="ArrayField">([\s\S]*?)<\/job>/.exec(xml)![1]!;
  return new Map([...job.matchAll(/<(\w+) type="\w+">([\s\S]*?)<\/\1>/g)].map((m) => [m[1]!, /<Default>(.*?)<\/Default>/.exec(m[2]!)?.[1] ?? '']));
}

const at = (node: XmlElement | undefined, ...path: string[]) => path.reduce<XmlElement | undefined>((n, p) => child(n, p), node);
const field = (node: XmlElement | undefined, name: string) => textOf(child(node, name)).trim();

function cronOf(config: string) {
  const opnsense = at(parseXml(config).root, 'OPNsense');
  const jobs = childrenNamed(at(opnsense, 'cron', 'jobs'), 'job');
  return { jobs, acme: jobs.filter((j) => field(j, 'origin') === 'AcmeClient'), updateCron: field(at(opnsense, 'AcmeClient', 'settings'), 'UpdateCron') };
}

describe('the ACME client renewal job', async () => {
  const { sections, privateKey } = await releaseSections(readExample('homelab'), '26.7');
  const merge = (base: string) => mergeConfig(base, sections, { secret: () => privateKey, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true });

  it.each(['25.7', '26.1', '26.7'])('%s: the merged config has one, as Cron::newDailyJob leaves it, and UpdateCron names it', async (release) => {
    const { sections: ofRelease, privateKey: key } = await releaseSections(readExample('homelab'), release);
    const merged = mergeConfig(sample(release), ofRelease, { secret: () => key, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true });
    const { acme, updateCron } = cronOf(merged);
    expect(acme).toHaveLength(1);
    expect(updateCron).toBe(attr(acme[0]!, 'uuid'));
    // newDailyJob("AcmeClient", "acmeclient cron-auto-renew", "AcmeClient Cronjob for Certificate AutoRenewal", "*", "1"): the rest is the model's default.
    const expected = new Map(modelDefaults(release));
    for (const [name, value] of Object.entries({ origin: 'AcmeClient', command: 'acmeclient cron-auto-renew', description: 'AcmeClient Cronjob for Certificate AutoRenewal', weekdays: '*', enabled: '1' })) expected.set(name, value);
    expect(new Map(acme[0]!.children.filter((c): c is XmlElement => 'name' in c).map((c) => [c.name, textOf(c).trim()]))).toEqual(expected);
    // Merging the result again changes nothing.
    expect(mergeConfig(merged, ofRelease, { secret: () => key, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, allowGuiPortConflict: true })).toBe(merged);
  });

  it("a box's own job stays the one job: its UUID and schedule kept, UpdateCron naming it; the operator's other jobs stay", () => {
    const merged = merge(withBoxCronJobs(sample('26.7'), '26.7'));
    const { jobs, acme, updateCron } = cronOf(merged);
    expect(acme.map((j) => attr(j, 'uuid'))).toEqual([BOX_ACME_JOB]);
    expect(updateCron).toBe(BOX_ACME_JOB);
    expect([field(acme[0], 'minutes'), field(acme[0], 'hours'), field(acme[0], 'weekdays')]).toEqual(['30', '3', '1']);
    expect(jobs.map((j) => field(j, 'description'))).toEqual(['AcmeClient Cronjob for Certificate AutoRenewal', 'nightly backup']);
    expect(merge(merged)).toBe(merged);
  });

  it('two jobs of the ACME client on the box become one', () => {
    const merged = merge(withBoxCronJobs(sample('26.7'), '26.7', [BOX_ACME_JOB, '1e2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b']));
    const { acme, updateCron } = cronOf(merged);
    expect(acme).toHaveLength(1);
    expect(updateCron).toBe(attr(acme[0]!, 'uuid'));
    expect(merge(merged)).toBe(merged);
  });
});
