// Real-tool tests skip where a tool or root is missing, with the reason in
// their title; in CI they must all run, so there a missing tool is a failure.
import { describe, expect, it } from 'vitest';
import { hasCommand, isRoot } from '../system-tools.js';

const TOOLS = [
  'xmllint', // OPNsense fragments
  'wg', 'wg-quick', 'wireguard-go', 'ip', 'ping', // WireGuard files, handshake and ping in network namespaces
  'ifup', 'ifquery', 'bridge', 'unshare', 'linux.uml', 'modprobe', // ifupdown2 parse and User-Mode-Linux bring-up
  'zbarimg', // QR codes read back
  'dot', // gen graph --format svg
  'openssl', // the merge's stand-in certificate
  'sha256sum', // out/MANIFEST
  'shellcheck', // every generated shell script
];

describe.skipIf(!process.env.CI)('CI has every real tool the tests use', () => {
  it('runs as root', () => {
    expect(isRoot).toBe(true);
  });

  it('has every tool (see .ci/apt-packages.txt)', () => {
    expect(TOOLS.filter((t) => !hasCommand(t))).toEqual([]);
  });
});
