// The User-Mode-Linux probe: a guest kernel that dies at its first process
// because the host refuses its XSAVE area ("ptrace set fp regs failed") is a
// reason the bring-up tests cannot run on this CPU; a guest that boots (its
// init exits, the usual panic) or fails otherwise is none, and those tests
// run (and fail, if it is broken another way). Stand-ins for linux.uml print
// what the real one prints in each case.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const path = process.env.PATH;
const dirs: string[] = [];

/** A linux.uml on PATH that prints `console` and aborts, as UML does when its init exits or dies. */
function standIn(console: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'gen-uml-probe-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'linux.uml'), `#!/bin/sh\nprintf '%s\\n' '${console}'\nkill -ABRT $$\n`);
  chmodSync(join(dir, 'linux.uml'), 0o755);
  process.env.PATH = `${dir}:${path}`;
}

async function probe(): Promise<string | undefined> {
  vi.resetModules();
  const tools = await import('../system-tools.js');
  return tools.umlCannotRun();
}

afterEach(() => {
  process.env.PATH = path;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the User-Mode-Linux probe', () => {
  it('names the CPU when the guest dies because the host refuses its FPU state', async () => {
    standIn('Run /bin/true as init process\nuserspace - ptrace set fp regs failed, errno = 14\nKernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b');
    const why = await probe();
    expect(why).toContain("Debian's User-Mode-Linux 6.1 cannot run a process on this CPU");
    expect(why).toContain('ptrace set fp regs failed');
  });

  it('gives no reason when the guest runs its init, or fails another way', async () => {
    standIn('Run /bin/true as init process\nKernel panic - not syncing: Attempted to kill init! exitcode=0x00000000');
    expect(await probe()).toBeUndefined();
    standIn('Failed to initialize ubd device 0\nVFS: Cannot open root device');
    expect(await probe()).toBeUndefined();
  });
});
