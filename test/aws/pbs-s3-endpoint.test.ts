// pbs/s3-endpoint.sh: the S3 endpoint's secret reaches the backup server in
// the body of a request to its API, never in a command's arguments (which
// every local user reads in ps while it runs), its environment, the shell
// history or a file left behind. Run here with stand-ins for
// proxmox-backup-manager, curl and openssl, under strace, which sees the
// arguments and environment of every program the script starts. What the
// stand-ins record is checked against proxmox-backup 4's source when its git
// mirror is at hand (PROXMOX_BACKUP_GIT, PROXMOX_RS_GIT). The same request
// sent by the real curl to an HTTPS server: pbs-s3-endpoint-curl.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExample, render } from '../helpers.js';
import { missing, SKIP_MARK } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { expectNoSecretLeft, filesBelow } from './secret-traces.js';
import { FAKE_TOKEN_SECRET, type FakeRequest, writeFakePbsTools } from './pbs-s3-endpoint-fakes.js';
import { apiBefore, gitDir, latestV4Tag, show } from './upstream-git.js';

removeTempDirsAfterAll();

const ACCESS_KEY = 'AKIAEXAMPLE7Q2R4';
// Characters a form body and the shell would both mangle if they reached either unquoted.
const SECRET = "wJalr/XUtnFEMI+K7MDENG&b=PxRfi'Cy $x%41\\z";

const files = await render(readExample('homelab'));
const script = files.get('home/pbs/s3-endpoint.sh')!;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  pbm: string[];
  requests: FakeRequest[];
  /** strace's execve lines: each program started, with its arguments and environment. */
  execs: string[];
  /** The files the run left in its working, home and temporary directories. */
  left: [string, string][];
}

function run(input: string, options: { endpoints?: object[]; curlStatus?: number } = {}): Run {
  const dir = tempDir('gen-pbs-s3-endpoint-');
  const [bin, log, work, home, tmp] = ['bin', 'log', 'work', 'home', 'tmp'].map((d) => join(dir, d));
  for (const d of [bin, log, work, home, tmp]) mkdirSync(d!);
  writeFakePbsTools(bin!);
  if (options.endpoints) writeFileSync(join(log!, 'endpoints.json'), JSON.stringify(options.endpoints));
  writeFileSync(join(work!, 's3-endpoint.sh'), script);
  const trace = join(log!, 'trace');
  const env = { PATH: `${bin}:${process.env.PATH}`, HOME: home!, TMPDIR: tmp!, GEN_FAKE_LOG: log!, GEN_FAKE_CURL_STATUS: String(options.curlStatus ?? 0) };
  const r = spawnSync('strace', ['-f', '-v', '-s', '65536', '-e', 'trace=execve', '-o', trace, 'bash', 's3-endpoint.sh'], { cwd: work, input, encoding: 'utf8', env });
  const lines = (f: string) => (existsSync(join(log!, f)) ? readFileSync(join(log!, f), 'utf8').split('\n').filter(Boolean) : []);
  const result = {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    pbm: lines('pbm'),
    requests: lines('curl').map((l) => JSON.parse(l) as FakeRequest),
    execs: readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes('execve(')),
    left: [...filesBelow(work!).filter(([p]) => !p.endsWith('/s3-endpoint.sh')), ...filesBelow(home!), ...filesBelow(tmp!)],
  };
  rmSync(trace);
  return result;
}

const why = missing(['bash', 'strace'], false);

describe.skipIf(why)(`pbs/s3-endpoint.sh${why ? ` ${SKIP_MARK}${why.slice('needs '.length)})` : ''}`, () => {
  it('creates the endpoint through the API: the secret is in the request body only, in no argument, environment or file', () => {
    const done = run(`${ACCESS_KEY}\n${SECRET}\n`);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toBe('S3 endpoint aws-s3-storage: created\n');
    expect(done.requests).toHaveLength(1);
    const [request] = done.requests;
    const token = /^user\|generate-token\|root@pam\|(gen-s3-endpoint-\d+)\|--expire\|\d+\|--comment\|/.exec(done.pbm[1]!)?.[1];
    expect(token, done.pbm[1]).toBeDefined();
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('https://localhost:8007/api2/json/config/s3');
    expect(request!.headers).toEqual([`Authorization: PBSAPIToken=root@pam!${token}:${FAKE_TOKEN_SECRET}`]);
    expect(request!.fields).toEqual([
      ['id', 'aws-s3-storage'],
      ['endpoint', '{{bucket}}.s3.ap-northeast-2.amazonaws.com'],
      ['region', 'ap-northeast-2'],
      ['access-key', ACCESS_KEY],
      ['secret-key', SECRET],
    ]);
    // The token lives for the request only: created, given the endpoints' ACL path, removed at the end.
    expect(done.pbm).toEqual([
      's3|endpoint|list|--output-format|json|',
      done.pbm[1],
      `acl|update|/system/s3-endpoint|Admin|--auth-id|root@pam!${token}|`,
      `user|delete-token|root@pam|${token}|`,
    ]);
    // The programs started: the stand-ins and the tools in between (awk, sed, date...), all of them.
    expect(done.execs.some((l) => l.includes('"curl"') || l.includes('/curl"'))).toBe(true);
    expect(done.execs.length).toBeGreaterThan(5);
    expectNoSecretLeft(done, [SECRET, FAKE_TOKEN_SECRET]);
  });

  it('run again, it puts the key, endpoint and region on the endpoint with its id', () => {
    const again = run(`${ACCESS_KEY}\n${SECRET}\n`, { endpoints: [{ id: 'aws-s3-storage', endpoint: 'old.example', 'access-key': 'AKIAOLD' }] });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe('S3 endpoint aws-s3-storage: key, endpoint and region replaced\n');
    const [request] = again.requests;
    expect(request!.method).toBe('PUT');
    expect(request!.url).toBe('https://localhost:8007/api2/json/config/s3/aws-s3-storage');
    expect(request!.fields.map(([k]) => k)).toEqual(['endpoint', 'region', 'access-key', 'secret-key']);
    expect(again.execs.filter((l) => l.includes(SECRET))).toEqual([]);
  });

  it('a refused request stops it with what curl said, and the token is removed all the same', () => {
    const refused = run(`${ACCESS_KEY}\n${SECRET}\n`, { curlStatus: 22 });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('s3-endpoint.sh: POST https://localhost:8007/api2/json/config/s3: {"data":null,"message":"permission check failed"}curl: (22)');
    expect(refused.pbm.at(-1)).toMatch(/^user\|delete-token\|root@pam\|gen-s3-endpoint-\d+\|$/);
    expect(refused.stderr).not.toContain(FAKE_TOKEN_SECRET);
  });

  it('an empty key changes nothing: no token, no request', () => {
    for (const input of ['', `${ACCESS_KEY}\n`, `\n${SECRET}\n`, `${ACCESS_KEY}\n\n`]) {
      const empty = run(input);
      expect(empty.status, JSON.stringify(input)).toBe(1);
      expect(empty.stderr).toMatch(/s3-endpoint\.sh: no (AccessKeyId|SecretAccessKey) typed in: nothing changed/);
      expect(empty.pbm).toEqual([]);
      expect(empty.requests).toEqual([]);
    }
  });
});

const backup = gitDir('PROXMOX_BACKUP_GIT');
const rs = gitDir('PROXMOX_RS_GIT');
/** The property names of an #[api] input or struct, at their indentation. */
const properties = (api: string, indent: number) => [...api.matchAll(new RegExp(`^ {${indent}}(\\w+|"[\\w-]+"): \\{`, 'gm'))].map((m) => m[1]!.replace(/"/g, ''));

describe.skipIf(!backup || !rs || why)(`the request against proxmox-backup 4${backup && rs ? '' : ' (SKIPPED: PROXMOX_BACKUP_GIT or PROXMOX_RS_GIT is not set)'}`, () => {
  const tag = backup ? latestV4Tag(backup) : '';

  it('is the API method behind s3 endpoint create and update, at its path, with the fields it takes', () => {
    expect(tag).toMatch(/^v4\./);
    const create = run(`${ACCESS_KEY}\n${SECRET}\n`).requests[0]!;
    const update = run(`${ACCESS_KEY}\n${SECRET}\n`, { endpoints: [{ id: 'aws-s3-storage' }] }).requests[0]!;
    // The CLI commands are these API methods (src/bin/proxmox_backup_manager/s3.rs).
    const cli = show(backup!, `${tag}:src/bin/proxmox_backup_manager/s3.rs`);
    expect(cli).toMatch(/"create",\s*CliCommand::new\(&api2::config::s3::API_METHOD_CREATE_S3_CLIENT_CONFIG\)/);
    expect(cli).toMatch(/"update",\s*CliCommand::new\(&api2::config::s3::API_METHOD_UPDATE_S3_CLIENT_CONFIG\)/);
    // Their path: /api2/json + config (src/api2/mod.rs) + s3 (src/api2/config/mod.rs); POST creates, PUT on /{id} updates.
    expect(show(backup!, `${tag}:src/api2/mod.rs`)).toContain('("config", &config::ROUTER),');
    expect(show(backup!, `${tag}:src/api2/config/mod.rs`)).toContain('("s3", &s3::ROUTER),');
    const api = show(backup!, `${tag}:src/api2/config/s3.rs`);
    expect(api).toMatch(/pub const ROUTER: Router = Router::new\(\)\s*\.get\(&API_METHOD_LIST_S3_CLIENT_CONFIG\)\s*\.post\(&API_METHOD_CREATE_S3_CLIENT_CONFIG\)\s*\.match_all\("id", &ITEM_ROUTER\);/);
    expect(api).toMatch(/const ITEM_ROUTER: Router = Router::new\(\)\s*\.get\(&API_METHOD_READ_S3_CLIENT_CONFIG\)\s*\.put\(&API_METHOD_UPDATE_S3_CLIENT_CONFIG\)/);
    expect(show(backup!, `${tag}:src/bin/proxmox-backup-proxy.rs`)).toContain('([0, 0, 0, 0, 0, 0, 0, 0], 8007).into(),');
    expect([create.method, new URL(create.url).port, new URL(create.url).pathname]).toEqual(['POST', '8007', '/api2/json/config/s3']);
    expect([update.method, new URL(update.url).pathname]).toEqual(['PUT', '/api2/json/config/s3/aws-s3-storage']);
    // The fields: id and secret-key of the method, the rest of S3ClientConfig (flattened) or its Updater.
    const createApi = apiBefore(api, 'pub fn create_s3_client_config(');
    expect(properties(createApi, 12)).toEqual(['id', 'config', 'secret-key']);
    expect(createApi).toMatch(/config: \{\s*type: S3ClientConfig,\s*flatten: true,/);
    const updateApi = apiBefore(api, 'pub fn update_s3_client_config(');
    expect(properties(updateApi, 12)).toEqual(['id', 'update', 'secret-key', 'delete', 'digest']);
    expect(updateApi).toMatch(/update: \{\s*type: S3ClientConfigUpdater,\s*flatten: true,/);
    const config = apiBefore(show(rs!, 'HEAD:proxmox-s3-client/src/api_types.rs'), 'pub struct S3ClientConfig {');
    const configFields = properties(config, 8);
    for (const field of ['endpoint', 'region', 'access-key']) expect(configFields).toContain(field);
    expect(create.fields.map(([k]) => k).sort()).toEqual(['id', 'secret-key', 'endpoint', 'region', 'access-key'].sort());
    for (const [k] of update.fields) expect(['secret-key', ...configFields], k).toContain(k);
    // The permission both check, and the one role that has it.
    expect(createApi).toContain('permission: &Permission::Privilege(&["system", "s3-endpoint"], PRIV_SYS_MODIFY, false),');
    expect(updateApi).toContain('permission: &Permission::Privilege(&["system", "s3-endpoint", "{id}"], PRIV_SYS_MODIFY, false),');
    const acl = show(rs!, 'HEAD:pbs-api-types/src/acl.rs');
    expect(acl).toContain('pub const ROLE_ADMIN: u64 = u64::MAX;');
    expect(acl).toMatch(/\/\/\/ Administrator\s*Admin = ROLE_ADMIN,/);
    expect(show(backup!, `${tag}:pbs-config/src/acl.rs`)).toMatch(/"s3-endpoint" \| "encryption-keys" => \{\s*\/\/ \/system\/<matched-component>\/\{id\}/);
  });

  it('logs in with a token of root@pam whose secret generate-token prints after "Result: ", and delete-token takes its ACL entries too', () => {
    const auth = show(backup!, `${tag}:src/auth.rs`);
    expect(auth).toMatch(/fn auth_token_prefix\(&self\) -> &'static str \{\s*"PBSAPIToken"/);
    const extract = show(rs!, 'HEAD:proxmox-auth-api/src/api/mod.rs');
    expect(extract).toMatch(/match v\.as_bytes\(\)\.get\(token_prefix\.len\(\)\)\.copied\(\) \{\s*Some\(b' '\) \| Some\(b'='\) => \{/);
    const user = show(backup!, `${tag}:src/api2/access/user.rs`);
    expect(apiBefore(user, 'pub fn generate_token(')).toMatch(/expire: \{\s*schema: EXPIRE_USER_SCHEMA,/);
    expect(user).toMatch(/Ok\(json!\(\{\s*"tokenid": tokenid_string,\s*"value": secret\s*\}\)\)/);
    expect(user).toMatch(/token_shadow::delete_secret\(&tokenid\)\?;\s*acl_config\.delete_authid\(&tokenid\);/);
    const cli = show(backup!, `${tag}:src/bin/proxmox_backup_manager/user.rs`);
    expect(cli).toMatch(/"generate-token",\s*CliCommand::new\(&api2::access::user::API_METHOD_GENERATE_TOKEN\)\s*\.arg_param\(&\["userid", "token-name"\]\)/);
    expect(show(rs!, 'HEAD:proxmox-router/src/cli/command.rs')).toContain('println!("Result: {}", serde_json::to_string_pretty(&value).unwrap());');
    // A token has the privileges of its own ACL entries only, within its user's.
    expect(show(backup!, `${tag}:pbs-config/src/cached_user_info.rs`)).toMatch(/!auth_id\.is_token\(\) && auth_id\.user\(\) == Userid::root_userid\(\)/);
    // The certificate whose key is pinned is the proxy's.
    expect(show(backup!, `${tag}:src/bin/proxmox-backup-proxy.rs`)).toContain('let cert_path = configdir!("/proxy.pem");');
    expect(show(backup!, `${tag}:pbs-buildcfg/src/lib.rs`)).toMatch(/pub const CONFIGDIR: &str = "\/etc\/proxmox-backup";/);
    expect(script).toContain("openssl x509 -in '/etc/proxmox-backup/proxy.pem' -noout -pubkey");
  });
});
