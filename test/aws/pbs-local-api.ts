// The backup server's API as pbs/s3-endpoint.sh meets it on the host: an
// HTTPS server on localhost:8007, and the proxy's certificate in
// /etc/proxmox-backup/proxy.pem. The script names both as PBS fixes them
// (targets/pbs/s3-endpoint-api.ts), so a run gets them in namespaces of its
// own instead of through a parameter the script would also take on a real
// host: a network namespace, where port 8007 on the loopback is free, and a
// mount namespace, where an overlay on /etc adds proxmox-backup/proxy.pem and
// the host's /etc stays as it is. The server is Node's, with a certificate of
// the real openssl; it records each request it is sent, as it came.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { PBS_API_PORT } from '../../src/targets/pbs/ports.js';

/** One request as the server read it: header names as curl wrote them, the body as sent. */
export interface ServedRequest {
  method: string;
  path: string;
  /** Name, value, name, value... (Node's rawHeaders). */
  headers: string[];
  body: string;
}

// Listens on 127.0.0.1 only: curl tries ::1 too and goes on to the next address when that is refused.
const SERVER = `import { createServer } from 'node:https';
import { appendFileSync, closeSync, readFileSync, writeSync } from 'node:fs';
const [key, cert, log, port] = process.argv.slice(2);
const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    appendFileSync(log, JSON.stringify({ method: req.method, path: req.url, headers: req.rawHeaders, body }) + '\\n');
    res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
    res.end('{"data":null}');
  });
});
server.listen(Number(port), '127.0.0.1', () => { writeSync(3, 'listening\\n'); closeSync(3); });
`;

// Runs in the namespaces: the loopback up, proxy.pem in /etc (the overlay's upper layer on a tmpfs: an upper
// layer on an overlay, as a container's root often is, would be refused), the server, then the command.
const HOST = `set -eu
dir=$1 node=$2 port=$3
shift 3
ip link set lo up
mkdir "$dir/layer"
mount -t tmpfs tmpfs "$dir/layer"
mkdir "$dir/layer/upper" "$dir/layer/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$dir/layer/upper,workdir=$dir/layer/work" /etc
mkdir -p /etc/proxmox-backup
cp "$dir/proxy.pem" /etc/proxmox-backup/proxy.pem
mkfifo "$dir/listening"
"$node" "$dir/server.mjs" "$dir/server.key" "$dir/server.pem" "$dir/requests" "$port" 3>"$dir/listening" </dev/null &
server=$!
read -r _ <"$dir/listening"
status=0
"$@" || status=$?
kill "$server"
exit "$status"
`;

/** A key and its self-signed certificate for localhost, by the real openssl, as dir/NAME.key and dir/NAME.pem. PBS makes proxy.pem an RSA one (proxmox-backup src/config/mod.rs); 2048 bits do for a pin. */
export function makeCertificate(dir: string, name: string): void {
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-subj', '/CN=localhost', '-days', '2'], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
}

/**
 * Runs `command` where the API is served from `dir`: dir/proxy.pem is the
 * certificate the host has in /etc/proxmox-backup, dir/server.key and
 * dir/server.pem what the server on localhost:8007 presents.
 */
export function runBesideApi(dir: string, command: string[], options: { env: NodeJS.ProcessEnv; input: string; cwd: string }) {
  for (const f of ['proxy.pem', 'server.key', 'server.pem']) expect(existsSync(join(dir, f)), f).toBe(true);
  writeFileSync(join(dir, 'server.mjs'), SERVER);
  const r = spawnSync('unshare', ['--user', '--map-root-user', '--net', '--mount', 'sh', '-c', HOST, 'host', dir, process.execPath, String(PBS_API_PORT), ...command], {
    cwd: options.cwd,
    env: options.env,
    input: options.input,
    encoding: 'utf8',
  });
  const log = join(dir, 'requests');
  const requests = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ServedRequest) : [];
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, requests };
}
