// haproxy.conf as the os-haproxy plugin's own template renders it for a
// topology (OPNsense/HAProxy/haproxy.conf, with OPNsense's template engine:
// test/tools/opnsense-php/render.py), for the tests that read it or run it.
// Needs OPNSENSE_CORE_GIT, OPNSENSE_PLUGINS_GIT, php and python3 with
// jinja2: `why` says which is missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { root } from '../helpers.js';
import { hasCommand } from '../system-tools.js';
import { mergedFactoryConfig, withGuiCert } from './support.js';
import { closeTemplateServers, renderTemplate } from './upstream-tools.js';

const coreGit = process.env.OPNSENSE_CORE_GIT;
const jinja = hasCommand('python3') && spawnSync('python3', ['-c', 'import jinja2']).status === 0;
export const why = !coreGit
  ? 'OPNSENSE_CORE_GIT is not set'
  : !process.env.OPNSENSE_PLUGINS_GIT
    ? 'OPNSENSE_PLUGINS_GIT is not set'
    : !hasCommand('php')
      ? 'needs php'
      : !jinja
        ? 'needs python3-jinja2'
        : undefined;
const tools = join(root, 'test/tools/opnsense-php');
const cache = process.env.OPNSENSE_PHP_CACHE ?? join(tmpdir(), 'gen-opnsense-php');
let workDir: string | undefined;
let runs = 0;
/** Where the renders go, and the files of the tests that run them (made on first use). */
export function work(): string {
  workDir ??= mkdtempSync(join(tmpdir(), 'gen-haproxy-conf-'));
  return workDir;
}
/**
 * Removes the calling test file's renders after its tests. Called by each
 * file that renders, not at this module's top: a worker runs files one
 * after another with the modules it loaded (isolate: false), so a hook
 * registered here on import belonged to the first file only, which removed
 * the directory and left its cached renders to the next file.
 */
export function removeRendersAfterAll(): void {
  afterAll(() => {
    closeTemplateServers();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
    workDir = undefined;
    runs = 0;
    rendered.clear();
  });
}
/** A rendered haproxy.conf, and the template's output root it was read from (the certificate list next to it). */
export interface Rendered {
  conf: string;
  root: string;
}
const rendered = new Map<string, Promise<Rendered>>();

/**
 * haproxy.conf as the plugin's template renders it for a topology merged
 * into the factory config of `tag`, once the plugin's model has validated
 * gen's HAProxy items (what pluginctl -v does on the box).
 */
export function haproxyConf(yaml: string, tag: string, release: string): Promise<Rendered> {
  // One validation and render per topology and release (two tests read the same one).
  const key = `${tag}\n${release}\n${yaml}`;
  let conf = rendered.get(key);
  if (conf === undefined) rendered.set(key, (conf = renderedConf(yaml, tag, release)));
  return conf;
}

async function renderedConf(yaml: string, tag: string, release: string): Promise<Rendered> {
  const env = { ...process.env, OPNSENSE_PHP_CACHE: cache };
  const setup = spawnSync('bash', [join(tools, 'setup.sh'), tag], { encoding: 'utf8', env });
  expect(setup.status, setup.stderr).toBe(0);
  const dir = join(work(), `run-${runs++}`);
  const config = `${dir}.xml`;
  // With the web GUI's certificate, as on every box.
  writeFileSync(config, withGuiCert(await mergedFactoryConfig(yaml, tag, release, coreGit!)), { mode: 0o600 });
  const validation = spawnSync('bash', [join(tools, 'run.sh'), config, tag], { encoding: 'utf8', env });
  expect(validation.stdout.split('\n').filter((l) => l.startsWith('ERROR ') && l.includes('HAProxy')), validation.stderr).toEqual([]);
  const r = await renderTemplate(join(cache, tag, 'root'), config, dir, 'OPNsense.HAProxy');
  expect(r.status, r.stderr).toBe(0);
  return { conf: readFileSync(join(dir, 'usr/local/etc/haproxy.conf.staging'), 'utf8'), root: dir };
}

/** The lines of one section (its indented lines, up to the next line that is not), trimmed, without comments. */
export function sectionLines(conf: string, header: string): string[] {
  const lines = conf.split('\n');
  const start = lines.indexOf(header);
  expect(start, `${header} in haproxy.conf`).toBeGreaterThan(-1);
  const body = lines.slice(start + 1);
  const end = body.findIndex((l) => /^\S/.test(l));
  return body.slice(0, end < 0 ? undefined : end).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

export const backendLines = (conf: string, name: string) => sectionLines(conf, `backend ${name}`);

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

