// Which real tools this machine has, so tests that need them can skip with
// a clear message (CI runs as root with every tool installed).
import { execFileSync, spawnSync } from 'node:child_process';

export const isRoot = process.getuid?.() === 0;

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$0"`, name], { stdio: 'ignore' }).status === 0;
}

/** Undefined when every tool is there and we are root; else why the test skips. */
export function missing(tools: readonly string[], needsRoot = true): string | undefined {
  const absent = tools.filter((t) => !hasCommand(t));
  const reasons = [needsRoot && !isRoot ? 'root' : '', absent.length ? absent.join(', ') : ''].filter(Boolean);
  return reasons.length ? `needs ${reasons.join(' and ')}` : undefined;
}

export function run(command: string, args: readonly string[], input?: string): string {
  return execFileSync(command, args as string[], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs a command; returns its exit status and both outputs (never throws on failure). */
export function attempt(command: string, args: readonly string[], input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(command, args as string[], { input, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
