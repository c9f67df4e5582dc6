// The Proxmox Backup Server's verification script (bash, with
// proxmox-backup-manager): the S3 endpoint with its endpoint template and
// region, the cache disk mounted at the datastore's path, the datastore on
// that endpoint and bucket with its garbage
// collection, its prune job, the role pbs/access.sh grants the storage's user
// and token, and `s3 check`, which
// reaches the bucket with the stored credentials (HeadBucket, a small PUT,
// GET and DELETE under the datastore's prefix).
import type { Model, PbsBackup, Site } from '../../model.js';
import { PBS_SAFE_ID } from '../../targets/pbs/access.js';
import { KEEP_ORDER } from '../../targets/proxmox/backup-job.js';
import { cachePath, keeps, pbsEndpoint } from '../backup.js';
import { pveAuthId, pveStorageRole } from '../pbs-access.js';
import { PBM_JSON } from '../pbm-json.js';
import { type Declared, call, renderScript } from './script.js';

// The ids are PBS's safe ids (a datastore may start with '_'); region and bucket are narrower still.
const NAME = new RegExp(`^${PBS_SAFE_ID}$`);

function name(value: string): string {
  if (!NAME.test(value)) throw new Error(`not a Proxmox Backup Server name: ${JSON.stringify(value)}`);
  return value;
}

const FUNCTIONS = `${PBM_JSON}

endpoint_check() { # what where id endpoint region
  list=$(pbm_json s3 endpoint list) || { fail "$1" "$2" "proxmox-backup-manager s3 endpoint list: $list"; return; }
  item=$(printf '%s\\n' "$list" | json_where '' "id=$3" | head -n 1)
  if [ -z "$item" ]; then fail "$1" "$2" "no S3 endpoint $3 (proxmox-backup-manager s3 endpoint list)"; return; fi
  endpoint=$(printf '%s\\n' "$list" | json_get "$item/endpoint")
  region=$(printf '%s\\n' "$list" | json_get "$item/region")
  problems=
  [ "$endpoint" = "$4" ] || problems="$problems; endpoint $endpoint"
  [ "$region" = "$5" ] || problems="$problems; region \${region:-none}"
  if [ -z "$problems" ]; then pass "$1" "$2"; else fail "$1" "$2" "\${problems#; }"; fi
}

datastore_check() { # what where name client bucket
  store=$(pbm_json datastore show "$3") || { fail "$1" "$2" "$store"; return; }
  backend=$(printf '%s\\n' "$store" | json_get /backend)
  problems=
  for want in type=s3 "client=$4" "bucket=$5"; do
    case ",$backend," in *",$want,"*) ;; *) problems="$problems; backend \${backend:-none} lacks $want" ;; esac
  done
  if [ -z "$problems" ]; then pass "$1" "$2"; else fail "$1" "$2" "\${problems#; }"; fi
}

s3_check() { # what where endpoint-id bucket datastore
  if out=$(proxmox-backup-manager s3 check "$3" "$4" --store-prefix "$5" 2>&1); then pass "$1" "$2"; else fail "$1" "$2" "$(printf '%s' "$out" | flat)"; fi
}

gc_check() { # what where name schedule
  store=$(pbm_json datastore show "$3") || { fail "$1" "$2" "$store"; return; }
  schedule=$(printf '%s\\n' "$store" | json_get /gc-schedule)
  if [ "$schedule" = "$4" ]; then pass "$1" "$2"; else fail "$1" "$2" "gc-schedule \${schedule:-none}"; fi
}

prune_job_check() { # what where id store schedule keeps(keep-KIND=N, space-separated)
  job=$(pbm_json prune-job show "$3") || { fail "$1" "$2" "$job"; return; }
  store=$(printf '%s\\n' "$job" | json_get /store)
  schedule=$(printf '%s\\n' "$job" | json_get /schedule)
  ns=$(printf '%s\\n' "$job" | json_get /ns)
  problems=
  [ "$store" = "$4" ] || problems="$problems; store \${store:-none}"
  [ "$schedule" = "$5" ] || problems="$problems; schedule \${schedule:-none}"
  [ -z "$ns" ] || problems="$problems; namespace $ns only"
  [ "$(printf '%s\\n' "$job" | json_get /disable)" != true ] || problems="$problems; disabled"
  for kind in ${KEEP_ORDER.join(' ')}; do
    got=$(printf '%s\\n' "$job" | json_get "/keep-$kind")
    want=
    for keep in $6; do case $keep in "keep-$kind="*) want=\${keep#*=} ;; esac; done
    [ "$got" = "$want" ] || problems="$problems; keep-$kind \${got:-unset}"
  done
  if [ -z "$problems" ]; then pass "$1" "$2"; else fail "$1" "$2" "\${problems#; }"; fi
}

# findmnt (util-linux): the file system mounted exactly at the path, not the one that holds it.
mount_check() { # what where path
  if source=$(findmnt -n -f -o SOURCE --mountpoint "$3" 2>/dev/null) && [ -n "$source" ]; then pass "$1" "$2"; return; fi
  if holder=$(findmnt -n -f -o TARGET --target "$3" 2>/dev/null) && [ -n "$holder" ]; then
    fail "$1" "$2" "$3 is no mount point: it is on the file system of $holder"
  else
    fail "$1" "$2" "$3 does not exist"
  fi
}

acl_check() { # what where path role auth-id...
  what=$1 where=$2 path=$3 role=$4
  shift 4
  acl=$(pbm_json acl list) || { fail "$what" "$where" "$acl"; return; }
  problems=
  for id in "$@"; do
    [ -n "$(printf '%s\\n' "$acl" | json_where '' "path=$path" "ugid=$id" "roleid=$role")" ] || problems="$problems; no $role for $id"
  done
  if [ -z "$problems" ]; then pass "$what" "$where"; else fail "$what" "$where" "\${problems#; }"; fi
}`;

export const PBS_SCRIPT = 'pbs.sh';

/**
 * Where guests.sh gives the backup server a disk for the cache, steps.md has `disk fs create` mount it at the
 * datastore's path (proxmox-backup src/api2/node/disks/directory.rs: /mnt/datastore/<name>, a systemd mount unit).
 * Skipped, `datastore create` makes the directory on the system disk, which the cache then fills.
 */
function cacheMount(site: Site, backup: PbsBackup, where: string): string[] {
  const disk = site.guests.find((g) => g.purpose === 'backup-server' && g.dataDisk)?.dataDisk;
  if (!disk) return [];
  return [call('mount_check', `the local cache ${cachePath(backup)} is a file system of its own (the ${disk.gb} GiB disk ${disk.key})`, where, [cachePath(backup)])];
}

export function pbsScript(model: Model, site: Site, backup: PbsBackup, declared: Declared): string {
  const where = declared(backup.path);
  // What steps.md's prune-job create and pbs/access.sh leave: without them the datastore keeps every backup, and Proxmox VE cannot log in.
  const keepText = keeps(backup.prune.keep)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const token = pveAuthId(backup);
  const user = backup.token.user; // checked with the token id by pveAuthId above
  const role = pveStorageRole(backup);
  const checks = [
    call('endpoint_check', `S3 endpoint ${backup.s3Remote} is ${pbsEndpoint(backup)} in ${backup.region}`, where, [name(backup.s3Remote), pbsEndpoint(backup), name(backup.region)]),
    ...cacheMount(site, backup, where),
    call('datastore_check', `datastore ${backup.datastore} keeps its chunks in bucket ${backup.bucket} through ${backup.s3Remote}`, where, [name(backup.datastore), name(backup.s3Remote), name(backup.bucket)]),
    call('gc_check', `datastore ${backup.datastore} runs garbage collection on schedule ${backup.gcSchedule}`, where, [name(backup.datastore), backup.gcSchedule]),
    call('prune_job_check', `prune job ${backup.datastore} prunes datastore ${backup.datastore} on schedule ${backup.prune.schedule}, ${keepText}`, where, [
      name(backup.datastore),
      name(backup.datastore),
      backup.prune.schedule,
      keeps(backup.prune.keep)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ]),
    call('acl_check', `${user} and its token ${token} have ${role} on /datastore/${backup.datastore}`, where, [`/datastore/${name(backup.datastore)}`, role, user, token]),
    `if [ -n "$S3_CHECK" ]; then ${call('s3_check', `the bucket ${backup.bucket} is reachable with the endpoint's credentials (s3 check)`, where, [name(backup.s3Remote), name(backup.bucket), name(backup.datastore)])}; fi`,
  ];
  return renderScript({
    shell: 'bash',
    box: 'Proxmox Backup Server',
    site: site.name,
    source: model.source?.file ?? 'the topology',
    file: PBS_SCRIPT,
    where: 'Run it on the backup server as root:',
    // proxmox-backup's s3 check (src/api2/admin/s3.rs) sends HeadBucket, then puts, reads back and deletes a test
    // object (.s3-client-test) under the prefix, through a client whose request counter has the id
    // "<endpoint>-<bucket>-<prefix>": the one the datastore's own backend uses (pbs-datastore, DataStore::backend).
    effects:
      "It changes no configuration. s3 check sends four requests to the bucket (HeadBucket, then PUT, GET and DELETE of an empty test object, .s3-client-test, under the datastore's prefix): " +
      "they count in the datastore's own S3 request statistics, and each run leaves an empty noncurrent version and a delete marker of that object in the versioned bucket until its lifecycle expires them. " +
      '--no-s3-check leaves the bucket alone: for frequent runs from monitoring.',
    options: {
      usage: "[--no-s3-check]\n--no-s3-check  skip s3 check, the one check that sends requests to the bucket",
      defaults: 'S3_CHECK=1',
      cases: '    --no-s3-check) S3_CHECK= ;;',
    },
    functions: FUNCTIONS,
    checks,
  });
}
