// The one JSON reader of every verification script (json_flat, json_get,
// json_where), under FreeBSD's awk, mawk (Debian's, on Proxmox VE and PBS)
// and busybox awk, on JSON as the boxes' tools print it: pvesh (pve-common
// CLIFormatter.pm, Perl JSON with utf8 and canonical: compact, non-ASCII as
// UTF-8), proxmox-backup-manager --output-format json / json-pretty
// (serde_json: compact, or pretty with two spaces) and pluginctl -g
// (OPNsense, PHP json_encode with JSON_PRETTY_PRINT and
// JSON_UNESCAPED_SLASHES: four spaces, non-ASCII as \uXXXX). Its lines are
// held against JSON.parse of the same text; a value with quotes, backslashes,
// newlines, $(...) or a key inside it is text, never a path or code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_FUNCTIONS } from '../../src/render/verify/json.js';
import { missing } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();
const work = tempDir('gen-verify-json-');
const library = join(work, 'json.sh');
writeFileSync(library, `${JSON_FUNCTIONS}\n`);

const HOSTILE = 'a "quoted" \\ back\\slash\\ $(touch /tmp/owned) `id` \'single\' ${HOME}\nnext line\t"enabled":0, "id": "x"} é € 😀 \u001b[31m\u007f';

/** What json_flat prints for a value: control characters as \uXXXX, the rest as it is. */
function shown(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The lines json_flat should print for a parsed document: a path and a value per scalar or empty container. */
function flatten(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.length ? value.flatMap((v, i) => flatten(v, `${path}/${i}`)) : [`${path}\t[]`];
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? entries.flatMap(([k, v]) => flatten(v, `${path}/${shown(k)}`)) : [`${path}\t{}`];
  }
  return [`${path}\t${typeof value === 'string' ? shown(value) : String(value)}`];
}

/** PHP json_encode without JSON_UNESCAPED_UNICODE: every non-ASCII UTF-16 unit as \uXXXX. */
function phpJson(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const job = {
  all: 1,
  comment: HOSTILE,
  enabled: 0,
  exclude: '103',
  fleecing: { enabled: 1, storage: 'local-lvm' },
  id: 'nightly',
  mode: 'snapshot',
  'notes-template': '{{guestname}} \\n {{vmid}}',
  performance: {},
  'prune-backups': { 'keep-daily': 7, 'keep-last': 3 },
  schedule: '21:00',
  storage: 'pbs-main',
  type: 'vzdump',
};
const endpoints = [
  { id: 'other', endpoint: HOSTILE, 'access-key': 'AKIAOTHER', 'path-style': true, 'provider-quirks': ['skip-if-none-match-header'] },
  { id: 'aws-s3-storage', endpoint: '{{bucket}}.s3.eu-central-1.amazonaws.com', region: 'eu-central-1', 'access-key': 'AKIAEXAMPLE', port: 443 },
];
const acl = [
  { path: '/datastore/store', ugid: 'pve-backup@pbs', ugid_type: 'user', propagate: true, roleid: 'DatastoreReader' },
  { path: '/datastore/store', ugid: 'pve-backup@pbs!pve', ugid_type: 'user', propagate: false, roleid: 'DatastoreBackup' },
];
const webgui = { protocol: 'https', 'ssl-certref': '5f0e', althostnames: 'fw.home.arpa/x', noantilockout: '1', authmode: HOSTILE, nested: { noantilockout: [] } };

const DOCUMENTS: [string, string, unknown][] = [
  ['pvesh get /cluster/backup/ID --output-format json', JSON.stringify(job), job],
  ['proxmox-backup-manager s3 endpoint list --output-format json-pretty', JSON.stringify(endpoints, null, 2), endpoints],
  ['proxmox-backup-manager acl list --output-format json', JSON.stringify(acl), acl],
  ['pluginctl -g system.webgui', phpJson(webgui), webgui],
  ['an empty list', '[]', []],
  ['escaped slashes and a lone surrogate', '{"a\\/b":"c\\/d","s":"\\ud800x","n":[-0.5,1e3,false,null]}', { 'a/b': 'c/d', s: '\ufffdx', n: [-0.5, '1e3', false, null] }],
];

const AWKS = ['/usr/bin/original-awk', '/usr/bin/mawk', '/usr/bin/busybox'];

function sh(awk: string, code: string, input: string, args: string[] = []): { status: number; stdout: string } {
  const bin = join(work, `bin-${awk.replace(/\W/g, '')}`);
  mkdirSync(bin, { recursive: true });
  if (!existsSync(join(bin, 'awk'))) spawnSync('ln', ['-s', awk, join(bin, 'awk')]);
  const r = spawnSync('dash', ['-c', `LC_ALL=C; export LC_ALL; . ${library}; ${code}`, 'sh', ...args], { input, encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, HOME: work } });
  return { status: r.status ?? -1, stdout: r.stdout };
}

const why = missing(['dash', 'original-awk', 'mawk', 'busybox'], false);
describe.skipIf(why)(`the scripts' JSON reader${why ? ` (skipped: ${why})` : ''}`, () => {
  for (const awk of AWKS) {
    it(`json_flat under ${awk}: each value on its line at its path, as JSON.parse reads it`, () => {
      for (const [what, text, parsed] of DOCUMENTS) {
        const r = sh(awk, 'json_flat', `${text}\n`);
        expect(r.status, what).toBe(0);
        // The written number 1e3 stays as written; JSON.parse would make it 1000.
        expect(r.stdout.split('\n').slice(0, -1), what).toEqual(flatten(parsed));
      }
      expect(existsSync('/tmp/owned')).toBe(false);
    });

    it(`json_flat under ${awk}: an error message, a cut or trailing text is no JSON (status 1)`, () => {
      for (const text of ["Error: no such job 'nightly'\n", '', '{"a":1', '{"a":1,}', '[1,]', '{"a" 1}', '{"a":1}\n{"b":2}', '{"a":"\\x"}', '{"a":tru}', '{"a":"b\n"}']) {
        expect(sh(awk, 'json_flat > /dev/null', text).status, JSON.stringify(text)).toBe(1);
      }
    });

    it(`json_get and json_where under ${awk}: a value by its path, the items with given values`, () => {
      const flat = (text: string) => sh(awk, 'json_flat', `${text}\n`).stdout;
      const jobLines = flat(JSON.stringify(job));
      // The job's own enabled, not fleecing's; a key inside the comment is text.
      expect(sh(awk, 'json_get /enabled', jobLines)).toEqual({ status: 0, stdout: '0\n' });
      expect(sh(awk, 'json_get /fleecing/enabled', jobLines).stdout).toBe('1\n');
      expect(sh(awk, 'v=$(json_get /comment) && printf %s "$v"', jobLines).stdout).toBe(shown(HOSTILE));
      expect(sh(awk, 'json_get /id', jobLines).stdout).toBe('nightly\n');
      expect(sh(awk, 'json_get /pool', jobLines)).toEqual({ status: 1, stdout: '' });
      expect(sh(awk, 'json_get /performance', jobLines).stdout).toBe('{}\n');
      const list = flat(JSON.stringify(endpoints, null, 2));
      expect(sh(awk, 'json_where "" "id=$1"', list, ['aws-s3-storage']).stdout).toBe('/1\n');
      expect(sh(awk, 'json_where "" "id=$1"', list, ['x']).stdout).toBe('');
      expect(sh(awk, 'json_where "" "endpoint=$1"', list, [shown(HOSTILE)]).stdout).toBe('/0\n');
      const acls = flat(JSON.stringify(acl));
      const where = 'json_where "" "path=$1" "ugid=$2" "roleid=$3"';
      expect(sh(awk, where, acls, ['/datastore/store', 'pve-backup@pbs!pve', 'DatastoreBackup']).stdout).toBe('/1\n');
      expect(sh(awk, where, acls, ['/datastore/store', 'pve-backup@pbs', 'DatastoreBackup']).stdout).toBe('');
      // A value with = in it is compared whole.
      expect(sh(awk, 'json_where "" "a=b=c"', flat('[{"a":"b=c"},{"a":"b"}]')).stdout).toBe('/0\n');
    });
  }
});
