// Which real tools this machine has, so tests that need them skip cleanly
// where they are missing: at collection time nothing runs but these checks,
// and each skipped test says why in its title ("(skipped: needs ...)").
// test/tool-skips-reporter.ts counts those titles into one line at the end
// of the run. CI installs every tool (.ci/install-tools), runs as root and
// fails on any such skip. GEN_TEST_AS_USER=1 makes a root run behave as an
// ordinary user's (the fresh-machine test uses it).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Every tool a real-tool test may ask for: what .ci/apt-packages.txt
 * installs. A test that needs another tool adds it here and there.
 */
export const REAL_TOOLS = [
  'xmllint', // libxml2-utils: OPNsense fragments
  'wg', 'wg-quick', 'wireguard-go', 'ip', 'ping', // WireGuard files, handshake and ping in network namespaces
  'ss', // the firewall script against a live wireguard-go instance (iproute2; nsenter: ESSENTIAL_TOOLS)
  'ifup', 'ifquery', 'bridge', 'unshare', 'linux.uml', 'modprobe', // ifupdown2 parse and User-Mode-Linux bring-up
  'patch', // Proxmox's ifupdown2 patches on upstream's source (test/scripts/ifupdown2-pve-tree.sh)
  'zbarimg', // QR codes read back
  'dot', // gen graph --format svg
  'openssl', // the merge's stand-in certificate
  'sha256sum', // out/MANIFEST
  'shellcheck', // every generated shell script
  'posh', 'busybox', 'original-awk', 'mawk', // the verification scripts run under POSIX shells and awks (dash and bash: ESSENTIAL_TOOLS)
  'prove', // perl: its TAP::Parser reads the verification scripts' --tap output
  'perl', // perl: getaddrinfo as pmxcfs asks, in the node-name check of the Proxmox host scripts
  'php', 'python3', 'haproxy', // OPNsense's own PHP and HAProxy template on merged configs (php-cli, python3-jinja2, haproxy)
  'unbound', 'unbound-checkconf', // Unbound itself on the host overrides OPNsense writes from a merged config
  'dnsmasq', // dnsmasq itself on the server= and local= lines OPNsense writes from a merged config (dnsmasq-base)
  'zsh', 'fish', // gen completion zsh and fish
  'mandoc', 'groff', 'man', // gen man
  'strace', // every program pbs/s3-endpoint.sh starts, with its arguments and environment: the S3 secret in none
  'curl', // pbs/s3-endpoint.sh's request to a local HTTPS server (openssl: its pinned key)
] as const;

/**
 * Tools a test may ask for that every Debian system has (Essential packages:
 * dash, bash, util-linux), so no package list names them. CI checks them as
 * it checks REAL_TOOLS; the fresh-machine test keeps them on its PATH, as a
 * fresh machine has them.
 */
export const ESSENTIAL_TOOLS = ['dash', 'bash', 'nsenter'] as const;

export type RealTool = (typeof REAL_TOOLS)[number] | (typeof ESSENTIAL_TOOLS)[number];

export const isRoot = process.getuid?.() === 0 && !process.env.GEN_TEST_AS_USER;

/** The phrase in the title of every test skipped for a missing tool or root. */
export const SKIP_MARK = '(skipped: needs ';

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$0"`, name], { stdio: 'ignore' }).status === 0;
}

/** Undefined when every tool is there (and we are root, if needed); else why the test skips. */
export function missing(tools: readonly RealTool[], needsRoot = true): string | undefined {
  const absent = tools.filter((t) => !hasCommand(t));
  const reasons = [needsRoot && !isRoot ? 'root' : '', absent.length ? absent.join(', ') : ''].filter(Boolean);
  return reasons.length ? `needs ${reasons.join(' and ')}` : undefined;
}

/**
 * The reason in the title of every User-Mode-Linux test that could not run on
 * this machine's CPU although the tool is installed (umlCannotRun); the skip
 * summary counts them on a line of their own, which CI does not take as a
 * missing tool.
 */
export const UML_CANNOT_RUN = "Debian's User-Mode-Linux 6.1 cannot run a process on this CPU";

let umlProbe: string | undefined | null = null;

/**
 * Why User-Mode-Linux, installed, cannot run a guest on this machine, or
 * undefined. Debian's user-mode-linux 6.1 writes each guest process's FPU
 * state to the host as an XSAVE area of its own fixed size
 * (arch/x86/um/os-Linux/registers.c); the host kernel takes an
 * NT_X86_XSTATE write only of exactly its own XSAVE size
 * (arch/x86/kernel/fpu/regset.c, xstateregs_set: -EFAULT otherwise), which
 * on a CPU with larger state (Intel AMX, for one) is not UML 6.1's: the
 * guest's first process dies ("userspace - ptrace set fp regs failed,
 * errno = 14") and the guest kernel panics before any test can run. Later
 * UML kernels size the area from the host. One boot with /bin/true as init
 * tells, in about a second; only that failure counts as the reason, any
 * other leaves the tests to run and fail.
 */
export function umlCannotRun(): string | undefined {
  if (umlProbe !== null) return umlProbe;
  // The guests' boot arguments (test/scripts/uml-boot-args): the boot 0.9 s shorter, as in test/scripts/uml-ifupdown2.sh.
  const r = spawnSync('linux.uml', ['mem=64M', 'rootfstype=hostfs', 'rootflags=/', 'ro', ...umlBootArgs(), 'init=/bin/true', 'con0=fd:0,fd:1', 'con=null'], {
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  umlProbe = /ptrace set fp regs failed/.test(`${r.stdout ?? ''}${r.stderr ?? ''}`)
    ? `${UML_CANNOT_RUN}: the host kernel refuses its fixed-size XSAVE area ("ptrace set fp regs failed"); a newer UML kernel sizes it from the host`
    : undefined;
  return umlProbe;
}

/** The User-Mode-Linux kernel's own arguments every guest boots with (test/scripts/uml-boot-args, which uml-ifupdown2.sh reads too). */
export function umlBootArgs(): string[] {
  return readFileSync(new URL('./scripts/uml-boot-args', import.meta.url), 'utf8').trim().split(/\s+/);
}

/** A test title that carries the reason of its skip, for the reader and for the skip summary. */
export function titled(title: string, why: string | undefined): string {
  return why === undefined ? title : `${title} (skipped: ${why})`;
}

export function run(command: string, args: readonly string[], input?: string): string {
  return execFileSync(command, args as string[], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs a command; returns its exit status and both outputs (never throws on failure). */
export function attempt(command: string, args: readonly string[], input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(command, args as string[], { input, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
