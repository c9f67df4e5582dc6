// Descriptions as OPNsense stores them: its DescriptionField takes what
// preg_match('/^(.){1,255}$/') accepts without the u flag, 255 bytes
// (Base/FieldTypes/DescriptionField.php); a topology description may hold
// 255 characters, three bytes each in Hangul, before gen adds its words.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DESCRIPTION_MAX_BYTES, fitDescription } from '../../src/targets/opnsense/descriptions.js';
import { renderAll } from '../../src/render/index.js';
import { edit, modelOf, readExample } from '../helpers.js';

/** What the PHP check accepts: 1 to 255 bytes, none a newline ('.' without the s flag). */
const accepted = (text: string) => Buffer.byteLength(text, 'utf8') >= 1 && Buffer.byteLength(text, 'utf8') <= 255 && !text.includes('\n');

describe('fitDescription', () => {
  it('leaves a description OPNsense takes as it is, and cuts a longer one at a character, with an ellipsis', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 400 }).filter((s) => !s.includes('\n')), (text) => {
        const fitted = fitDescription(text);
        expect(accepted(fitted)).toBe(true);
        if (Buffer.byteLength(text, 'utf8') <= DESCRIPTION_MAX_BYTES) expect(fitted).toBe(text);
        else {
          expect(fitted.endsWith('…')).toBe(true);
          expect(text.startsWith(fitted.slice(0, -1))).toBe(true);
          // Cut at a character: no lone surrogate.
          expect(Buffer.from(fitted, 'utf8').toString('utf8')).toBe(fitted);
          expect(Buffer.byteLength(fitted, 'utf8')).toBeGreaterThan(DESCRIPTION_MAX_BYTES - 4 - 3);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('descriptions gen writes', () => {
  it('a rule and a port forward with 200 Hangul characters of description fit, and the verification script looks for the text written', async () => {
    const long = '가'.repeat(200);
    let yaml = edit(readExample('homelab'), ['sites', 0, 'policy', 'rules', 0, 'description'], long);
    yaml = edit(yaml, ['sites', 0, 'firewall', 'nat', 'port_forwards'], [{ name: 'grafana', proto: 'tcp', port: 8443, service: 'grafana', target_port: 3000, description: long }]);
    const files = renderAll(await modelOf(yaml));
    const xml = [...files].filter(([path]) => path.startsWith('home/opnsense/')).map(([, text]) => text).join('\n');
    const descriptions = [...xml.matchAll(/<(descr|description)>([^<]*)<\/\1>/g)].map((m) => m[2]!);
    expect(descriptions.filter((d) => d.includes('가가가')).map((d) => d.slice(0, 22))).toEqual(['gen: policy rule vpn-t', 'gen: port forward graf']);
    for (const d of descriptions) expect(accepted(d), d).toBe(true);
    const rule = descriptions.find((d) => d.startsWith('gen: policy rule') && d.includes('가'))!;
    expect(rule.endsWith('…')).toBe(true);
    expect(files.get('home/verify/firewall-opnsense.sh')).toContain(rule);
  });
});
