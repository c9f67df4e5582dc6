// gen diff's words for what clients inside reach by the public address:
// a port forward's NAT reflection, checked against the fragment gen writes.
import { describe, expect, it } from 'vitest';
import { describeChanges } from '../../src/diff/facts.js';
import { edit, modelOf, readExample } from '../helpers.js';
import { doc, fragments } from '../opnsense/support.js';

const A = readExample('homelab');
const FORWARDS = ['sites', 0, 'firewall', 'nat', 'port_forwards'];

async function words(before: string, after: string): Promise<string[]> {
  return describeChanges(await modelOf(before), await modelOf(after));
}

describe('gen diff: what clients inside reach', () => {
  it("a port forward's reflection turned on and off: the rdr OPNsense repeats inside, in words", async () => {
    const forward = { name: 'grafana-in', proto: 'tcp', port: 8080, service: 'grafana' };
    const plain = edit(A, FORWARDS, [forward]);
    const reflected = edit(A, FORWARDS, [Object.assign({}, forward, { reflection: true })]);
    // The rule as the box reads it: ForwardRule.php repeats an rdr inside for natreflection "purenat" or "enable".
    const rules = async (yaml: string) => [doc(await fragments(yaml, 'home'), 'nat.xml').nat.rule].flat();
    const rule = (await rules(reflected))[0];
    expect(['enable', 'purenat']).toContain(rule.natreflection);
    expect((await rules(plain))[0].natreflection ?? '').toBe('');
    const wanIf = rule.interface;
    const what = `a connection to the ${wanIf} address on TCP ${rule.destination.port} reaches ${rule.target}:${rule['local-port']}`;
    expect(await words(plain, reflected)).toEqual([`port forward grafana-in now reflected to clients inside: ${what}`]);
    expect(await words(reflected, plain)).toEqual([`port forward grafana-in no longer reflected to clients inside (was: ${what})`]);
  });
});
