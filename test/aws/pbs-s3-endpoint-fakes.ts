// Stand-ins for the tools pbs/s3-endpoint.sh runs on the backup server, for
// tests that run it: proxmox-backup-manager answers the calls the script
// makes, curl records the request it would send (method, URL, the headers and
// form fields it reads from the files named with @), openssl passes a key
// through. Each records into the directory in GEN_FAKE_LOG.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The secret the fake generate-token answers with. */
export const FAKE_TOKEN_SECRET = 'b6a7c9e2-0d1f-4e5a-9b3c-2f1e0d9c8b7a';

/** One request the fake curl was asked to send. */
export interface FakeRequest {
  argv: string[];
  method: string;
  url: string;
  headers: string[];
  fields: [string, string][];
}

const MANAGER = `#!/usr/bin/env bash
printf '%s|' "$@" >> "$GEN_FAKE_LOG/pbm"
echo >> "$GEN_FAKE_LOG/pbm"
case "$1 $2 $3" in
  's3 endpoint list') if [ -f "$GEN_FAKE_LOG/endpoints.json" ]; then cat "$GEN_FAKE_LOG/endpoints.json"; else echo '[]'; fi ;;
  'user generate-token '*) printf 'Result: {\\n  "tokenid": "%s!%s",\\n  "value": "%s"\\n}\\n' "$3" "$4" '${FAKE_TOKEN_SECRET}' ;;
esac
`;

// Reads every @file as curl does: a header per line; a form field's whole content, newlines included.
const CURL = `#!/usr/bin/env node
const fs = require('node:fs');
const argv = process.argv.slice(2);
const request = { argv, method: 'GET', url: '', headers: [], fields: [] };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--request') request.method = argv[++i];
  else if (a === '--header') {
    const h = argv[++i];
    if (h.startsWith('@')) request.headers.push(...fs.readFileSync(h.slice(1), 'utf8').split('\\n').filter(Boolean));
    else request.headers.push(h);
  } else if (a === '--data-urlencode') {
    const d = argv[++i];
    const at = d.indexOf('@'), eq = d.indexOf('=');
    if (at > 0 && (eq < 0 || at < eq)) request.fields.push([d.slice(0, at), fs.readFileSync(d.slice(at + 1), 'utf8')]);
    else request.fields.push([d.slice(0, eq), d.slice(eq + 1)]);
    if (request.method === 'GET') request.method = 'POST';
  } else if (a === '--pinnedpubkey' || a === '--noproxy') i++;
  else if (!a.startsWith('-')) request.url = a;
}
fs.appendFileSync(process.env.GEN_FAKE_LOG + '/curl', JSON.stringify(request) + '\\n');
const status = Number(process.env.GEN_FAKE_CURL_STATUS || 0);
if (status) { process.stdout.write('{"data":null,"message":"permission check failed"}'); process.stderr.write('curl: (22) The requested URL returned error: 403'); }
else process.stdout.write('{"data":null}');
process.exit(status);
`;

const OPENSSL = `#!/bin/sh
case "$1" in x509) echo 'fake public key' ;; *) cat ;; esac
`;

/** Writes the proxmox-backup-manager stand-in alone into `dir`, for a run with the real curl and openssl. */
export function writeFakeManager(dir: string): void {
  writeFileSync(join(dir, 'proxmox-backup-manager'), MANAGER, { mode: 0o755 });
}

/** Writes the three fakes into `dir` (to go first on PATH). */
export function writeFakePbsTools(dir: string): void {
  writeFakeManager(dir);
  writeFileSync(join(dir, 'curl'), CURL, { mode: 0o755 });
  writeFileSync(join(dir, 'openssl'), OPENSSL, { mode: 0o755 });
}
