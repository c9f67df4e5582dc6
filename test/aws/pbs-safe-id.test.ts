// The datastore and the S3 endpoint id are Proxmox Backup Server ids: gen
// accepts exactly the names PBS accepts (proxmox-schema's SAFE_ID regex, 3 to
// 32 characters: pbs-api-types DATASTORE_SCHEMA, proxmox-s3-client
// S3_CLIENT_ID_SCHEMA), a name starting with '_' among them, and says which
// rule a refused one breaks. Checked against the regex read from the proxmox
// mirror (PROXMOX_RS_GIT).
import { describe, expect, it } from 'vitest';
import { edit, lint, readExample, render } from '../helpers.js';
import { lineOfKey } from '../yaml-lines.js';
import { gitDir, show } from './upstream-git.js';

const rs = gitDir('PROXMOX_RS_GIT');
const PBS = ['sites', 0, 'backup', 'pbs'];
const homelab = readExample('homelab');

const CANDIDATES = ['_vm-backup', '___', '_a.', 'vm_backup', '9lives', 'A.b-c', '.hidden', '-dash', 'a b', 'da$h', 'ä-store', 'ab', 'x'.repeat(32), 'x'.repeat(33), `_${'y'.repeat(31)}`];

describe.skipIf(!rs)(`datastore and s3_remote against proxmox-schema's SAFE_ID${rs ? '' : ' (SKIPPED: PROXMOX_RS_GIT is not set)'}`, () => {
  it('are refused exactly where PBS refuses them, each with the rule it breaks', async () => {
    const source = show(rs!, 'HEAD:proxmox-schema/src/api_types.rs');
    const str = /pub const SAFE_ID_REGEX_STR: &str = r"([^"]+)";/.exec(source)?.[1];
    expect(str).toBeDefined();
    expect(source).toContain('pub SAFE_ID_REGEX = concatcp!(r"^", SAFE_ID_REGEX_STR, r"$");');
    expect(source).toContain('pub const SAFE_ID_FORMAT: ApiStringFormat = ApiStringFormat::Pattern(&SAFE_ID_REGEX);');
    expect(show(rs!, 'HEAD:pbs-api-types/src/lib.rs')).toContain('pub use proxmox_schema::api_types::SAFE_ID_FORMAT as PROXMOX_SAFE_ID_FORMAT;');
    expect(show(rs!, 'HEAD:pbs-api-types/src/datastore.rs')).toMatch(/pub const DATASTORE_SCHEMA: Schema = StringSchema::new\("Datastore name\."\)\s*\.format\(&PROXMOX_SAFE_ID_FORMAT\)\s*\.min_length\(3\)\s*\.max_length\(32\)/);
    expect(show(rs!, 'HEAD:proxmox-s3-client/src/api_types.rs')).toMatch(/pub const S3_CLIENT_ID_SCHEMA: Schema =\s*StringSchema::new\("ID to uniquely identify s3 client config\."\)\s*\.format\(&SAFE_ID_FORMAT\)\s*\.min_length\(3\)\s*\.max_length\(32\)/);
    const safeId = new RegExp(`^${str}$`);
    expect(safeId.test('_vm-backup')).toBe(true);
    for (const key of ['datastore', 's3_remote']) {
      for (const value of CANDIDATES) {
        const text = edit(homelab, [...PBS, key], value);
        const line = lineOfKey(text, [...PBS, key]);
        const errors = (await lint(text)).filter((d) => d.severity === 'error' && d.location.line === line);
        const pbsTakes = safeId.test(value) && value.length >= 3 && value.length <= 32;
        expect(errors.length === 0, `${key}: ${value}: ${errors.map((d) => d.message).join('; ')}`).toBe(pbsTakes);
        if (pbsTakes) continue;
        // Refused with the rule it breaks: the schema's SAFE_ID for the characters, backup/pbs-names for the length.
        const why = errors.map((d) => `${d.rule}: ${d.message} ${d.hint ?? ''}`).join('; ');
        expect(why, `${key}: ${value}`).toMatch(safeId.test(value) ? /^backup\/pbs-names: .*3-32 characters/ : /^schema: .*proxmox-schema SAFE_ID.*starts with a letter, digit or '_'/);
      }
    }
  });

  it("a datastore and an endpoint starting with '_' build, into the steps, the endpoint script and the verification script", async () => {
    const files = await render(edit(edit(homelab, [...PBS, 'datastore'], '_vm-backup'), [...PBS, 's3_remote'], '_aws-s3'));
    expect(files.get('home/pbs/steps.md')).toContain('proxmox-backup-manager datastore create _vm-backup /mnt/datastore/_vm-backup --backend type=s3,client=_aws-s3,');
    expect(files.get('home/pbs/s3-endpoint.sh')).toMatch(/^id='_aws-s3'$/m);
    expect(files.get('home/verify/pbs.sh')).toContain("'_vm-backup'");
  });
});
