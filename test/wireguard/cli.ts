// Runs the gen command line in this process and captures what it prints.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { root } from '../helpers.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function gen(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

export interface TopologyCase {
  dir: string;
  topology: string;
  secrets: string;
}

/**
 * A directory per test with a copy of scenario A as topology.yaml, below
 * one base directory that is removed after the file's tests.
 */
export function topologyCases(prefix: string): () => TopologyCase {
  const base = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  return () => {
    const dir = mkdtempSync(join(base, 'case-'));
    const topology = join(dir, 'topology.yaml');
    copyFileSync(join(root, 'topology.yaml'), topology);
    return { dir, topology, secrets: join(dir, '.secrets') };
  };
}
