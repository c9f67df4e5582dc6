// proxmox-backup-manager's JSON as json_flat's lines (verify/json.ts): the
// one way the backup server's verification script and pbs/access.sh read
// what it prints. It prints serde_json of the API's answer with
// --output-format json (proxmox-router cli/format.rs), and its error on
// stderr with a non-zero status. Both scripts define flat (verify/script.ts
// FLAT) and json_flat before it.
import { JSON_FUNCTIONS } from './verify/json.js';
import { FLAT } from './verify/script.js';

/** The shell function: on an error, status 1 and what the tool said (or its output that is not JSON) on one line. */
export const PBM_JSON = `# proxmox-backup-manager's JSON output (--output-format json) as json_flat's lines; on an error, status 1
# and its message on one line.
pbm_json() { # proxmox-backup-manager arguments...
  out=$(proxmox-backup-manager "$@" --output-format json 2>&1) || { printf '%s' "$out" | flat; return 1; }
  # Read in full first: json_flat prints the lines before the place where text stops being JSON.
  lines=$(printf '%s\\n' "$out" | json_flat) || { printf 'not JSON: %s' "$out" | flat; return 1; }
  printf '%s\\n' "$lines"
}`;

/** The lines of a script run on the backup server that reads proxmox-backup-manager's JSON as the verification script does: a value read at its place, its escapes decoded. */
export const PBM_JSON_READER: readonly string[] = [
  '# json_flat reads bytes (its \\u escapes are made byte by byte), as in the verification scripts.',
  'LC_ALL=C',
  'export LC_ALL',
  '',
  FLAT,
  JSON_FUNCTIONS,
  PBM_JSON,
];
