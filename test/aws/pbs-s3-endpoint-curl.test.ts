// pbs/s3-endpoint.sh with the real curl and openssl, against an HTTPS server
// on localhost:8007 (pbs-local-api.ts); proxmox-backup-manager alone is a
// stand-in. What reaches the server is read as proxmox-backup 4 reads it: the
// token header as proxmox-auth-api's extract_auth_data and http_check_auth
// take it apart, the body as proxmox-rest-server's get_request_parameters
// parses a form. The pin is curl's own: a server with another key than
// proxy.pem's gets no request. Root's own curl settings (a .curlrc, a proxy
// in the environment) do not reach the request.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExample, render } from '../helpers.js';
import { missing, SKIP_MARK } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';
import { expectNoSecretLeft, filesBelow, secretForms } from './secret-traces.js';
import { FAKE_TOKEN_SECRET, writeFakeManager } from './pbs-s3-endpoint-fakes.js';
import { makeCertificate, runBesideApi, type ServedRequest } from './pbs-local-api.js';

removeTempDirsAfterAll();

const ACCESS_KEY = 'AKIAEXAMPLE7Q2R4';
// A form body decodes + as a space and %41 as A: the secret has both, a space, quotes and a backslash.
const SECRET = "wJalr/XUtnFEMI+K7MDENG&b=PxRfi'Cy $x%41\\z";

const files = await render(readExample('homelab'));
const script = files.get('home/pbs/s3-endpoint.sh')!;

/** A header's values, by its name in any case as HTTP has it. */
const header = (request: ServedRequest, name: string) => request.headers.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name ? [request.headers[i + 1]!] : []));

/** The token header as proxmox-auth-api reads it (src/api/mod.rs): the prefix, ' ' or '=', then tokenid:secret split at the first ':', the secret percent-decoded. */
function tokenOf(request: ServedRequest): { tokenid: string; secret: string } | undefined {
  const all = header(request, 'authorization');
  if (all.length !== 1) return undefined;
  const v = all[0]!;
  if (!v.startsWith('PBSAPIToken') || ![' ', '='].includes(v.charAt('PBSAPIToken'.length))) return undefined;
  const rest = v.slice('PBSAPIToken'.length + 1);
  const colon = rest.indexOf(':');
  if (colon < 0) return undefined;
  return { tokenid: rest.slice(0, colon), secret: decodeURIComponent(rest.slice(colon + 1)) };
}

const why = missing(['bash', 'strace', 'curl', 'openssl', 'unshare', 'ip'], false);

describe.skipIf(why)(`pbs/s3-endpoint.sh with the real curl and openssl${why ? ` ${SKIP_MARK}${why.slice('needs '.length)})` : ''}`, () => {
  // The proxy's certificate, and another with a key of its own for a server that is not the proxy.
  const certs = why ? '' : tempDir('gen-pbs-certs-');
  if (!why) for (const name of ['proxy', 'other']) makeCertificate(certs, name);

  function run(input: string, options: { endpoints?: object[]; server?: 'proxy' | 'other'; env?: Record<string, string>; curlrc?: (home: string) => string } = {}) {
    const dir = tempDir('gen-pbs-s3-curl-');
    const [bin, log, work, home, tmp, api] = ['bin', 'log', 'work', 'home', 'tmp', 'api'].map((d) => join(dir, d));
    for (const d of [bin, log, work, home, tmp, api]) mkdirSync(d!);
    writeFakeManager(bin!);
    if (options.curlrc) writeFileSync(join(home!, '.curlrc'), options.curlrc(home!));
    if (options.endpoints) writeFileSync(join(log!, 'endpoints.json'), JSON.stringify(options.endpoints));
    writeFileSync(join(work!, 's3-endpoint.sh'), script);
    const server = options.server ?? 'proxy';
    copyFileSync(join(certs, 'proxy.pem'), join(api!, 'proxy.pem'));
    copyFileSync(join(certs, `${server}.key`), join(api!, 'server.key'));
    copyFileSync(join(certs, `${server}.pem`), join(api!, 'server.pem'));
    const trace = join(log!, 'trace');
    const env = Object.assign({ PATH: `${bin}:${process.env.PATH}`, HOME: home!, TMPDIR: tmp!, GEN_FAKE_LOG: log! }, options.env);
    const r = runBesideApi(api!, ['strace', '-f', '-v', '-s', '65536', '-e', 'trace=execve', '-o', trace, 'bash', 's3-endpoint.sh'], { cwd: work!, env, input });
    const pbm = existsSync(join(log!, 'pbm')) ? readFileSync(join(log!, 'pbm'), 'utf8').split('\n').filter(Boolean) : [];
    const execs = existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes('execve(')) : [];
    if (existsSync(trace)) rmSync(trace);
    const left = [...filesBelow(work!).filter(([p]) => !p.endsWith('/s3-endpoint.sh')), ...filesBelow(home!).filter(([p]) => !p.endsWith('/.curlrc')), ...filesBelow(tmp!)];
    return Object.assign(r, { bin: bin!, pbm, execs, left });
  }

  /** The token generate-token made in the run (the stand-in logs its arguments). */
  const tokenName = (pbm: string[]) => /^user\|generate-token\|root@pam\|(gen-s3-endpoint-\d+)\|/.exec(pbm[1] ?? '')?.[1];

  it('creates the endpoint: POST /api2/json/config/s3 under the token, the keys in a form body, the secret in no argument, environment or file', () => {
    const done = run(`${ACCESS_KEY}\n${SECRET}\n`);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toBe('S3 endpoint aws-s3-storage: created\n');
    expect(done.requests).toHaveLength(1);
    const request = done.requests[0]!;
    const token = tokenName(done.pbm);
    expect(token, done.pbm.join('\n')).toBeDefined();
    expect([request.method, request.path]).toEqual(['POST', '/api2/json/config/s3']);
    expect(header(request, 'host')).toEqual(['localhost:8007']);
    expect(header(request, 'authorization')).toEqual([`PBSAPIToken=root@pam!${token}:${FAKE_TOKEN_SECRET}`]);
    expect(tokenOf(request)).toEqual({ tokenid: `root@pam!${token}`, secret: FAKE_TOKEN_SECRET });
    // The one content type besides JSON that get_request_parameters takes; the body parsed as its form_urlencoded::parse does.
    expect(header(request, 'content-type').map((v) => v.split(';')[0])).toEqual(['application/x-www-form-urlencoded']);
    expect([...new URLSearchParams(request.body)]).toEqual([
      ['id', 'aws-s3-storage'],
      ['endpoint', '{{bucket}}.s3.ap-northeast-2.amazonaws.com'],
      ['region', 'ap-northeast-2'],
      ['access-key', ACCESS_KEY],
      ['secret-key', SECRET],
    ]);
    expect(done.pbm.at(-1)).toBe(`user|delete-token|root@pam|${token}|`);
    // The real curl and openssl ran (not from the stand-ins' directory), under strace: every program's arguments and environment are in the trace.
    for (const tool of ['curl', 'openssl']) expect(done.execs.filter((l) => l.includes(`/${tool}", ["${tool}"`) && !l.includes(`execve("${done.bin}/`)).length, tool).toBeGreaterThan(0);
    expectNoSecretLeft(done, [SECRET, FAKE_TOKEN_SECRET]);
  });

  it('run again, it sends PUT /api2/json/config/s3/<id> with the key, endpoint and region', () => {
    const again = run(`${ACCESS_KEY}\n${SECRET}\n`, { endpoints: [{ id: 'aws-s3-storage', endpoint: 'old.example', 'access-key': 'AKIAOLD' }] });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe('S3 endpoint aws-s3-storage: key, endpoint and region replaced\n');
    expect(again.requests).toHaveLength(1);
    const request = again.requests[0]!;
    expect([request.method, request.path]).toEqual(['PUT', '/api2/json/config/s3/aws-s3-storage']);
    expect(tokenOf(request)?.tokenid).toBe(`root@pam!${tokenName(again.pbm)}`);
    expect([...new URLSearchParams(request.body)]).toEqual([
      ['endpoint', '{{bucket}}.s3.ap-northeast-2.amazonaws.com'],
      ['region', 'ap-northeast-2'],
      ['access-key', ACCESS_KEY],
      ['secret-key', SECRET],
    ]);
  });

  it('a server with another key than proxy.pem gets nothing: curl refuses it, the script says so and removes the token', () => {
    const refused = run(`${ACCESS_KEY}\n${SECRET}\n`, { server: 'other' });
    expect(refused.status).toBe(1);
    expect(refused.requests).toEqual([]);
    // curl's CURLE_SSL_PINNEDPUBKEYNOTMATCH (90), told as what it means on the backup server, with the way out.
    expect(refused.stderr).toContain(
      's3-endpoint.sh: POST https://localhost:8007/api2/json/config/s3: not sent: the server on port 8007 does not present the key of /etc/proxmox-backup/proxy.pem' +
        ' (curl: (90) SSL: public key does not match pinned public key); if that file was replaced, reload the proxy (systemctl reload proxmox-backup-proxy), then run this script again\n',
    );
    expect(refused.stdout).toBe('');
    expect(refused.pbm.at(-1)).toBe(`user|delete-token|root@pam|${tokenName(refused.pbm)}|`);
    for (const secret of [SECRET, FAKE_TOKEN_SECRET]) for (const form of secretForms(secret)) expect(refused.stdout + refused.stderr).not.toContain(form);
  });

  it('a proxy in root\'s environment is not taken: the API is on this host', () => {
    // A root whose shell reaches the internet through a proxy; curl would send the request there (man curl, ENVIRONMENT).
    const proxy = 'http://127.0.0.1:9';
    const done = run(`${ACCESS_KEY}\n${SECRET}\n`, { env: { https_proxy: proxy, HTTPS_PROXY: proxy, ALL_PROXY: proxy } });
    expect(done.status, done.stderr).toBe(0);
    expect(done.requests.map((r) => [r.method, r.path])).toEqual([['POST', '/api2/json/config/s3']]);
  });

  it("root's .curlrc is not read: one that traces every transfer to a file gets no trace of the key", () => {
    const done = run(`${ACCESS_KEY}\n${SECRET}\n`, { curlrc: (home) => `trace-ascii = "${join(home, 'curl-trace')}"\n` });
    expect(done.status, done.stderr).toBe(0);
    expect(done.requests).toHaveLength(1);
    expectNoSecretLeft(done, [SECRET, FAKE_TOKEN_SECRET]);
  });
});
