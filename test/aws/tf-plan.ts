// Terraform itself evaluating a generated precondition: the lifecycle block
// of one resource, moved onto a terraform_data resource (built in, so init
// and plan need no provider and no network), with what the condition reads
// of a data source given as a variable.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { attempt, hasCommand } from '../system-tools.js';
import { parse } from './tf-validate.js';

export const terraform = hasCommand('terraform');
export const notRun = terraform ? '' : ' (not run: terraform is not installed)';

/** The lifecycle block of the resource block that starts with `header`, its data source reads replaced by variables, as a module of its own. */
export function lifecycleModule(tf: string, header: string, variables: Record<string, { type: string; reads: RegExp }>): string {
  const start = tf.indexOf('  lifecycle {', tf.indexOf(header));
  let lifecycle = tf.slice(start, tf.indexOf('\n  }\n', start) + 5);
  let declared = 'variable "aws_region" {\n  type = string\n}\n';
  for (const [name, { type, reads }] of Object.entries(variables)) {
    lifecycle = lifecycle.replace(reads, `var.${name}`);
    declared += `\nvariable "${name}" {\n  type = ${type}\n}\n`;
  }
  return `${declared}\nresource "terraform_data" "guarded" {\n${lifecycle}}\n`;
}

/** A scratch directory for the tests of one describe block (removed after them): load() writes and initializes a module, plan() plans it. */
export function scratchModule(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = ['-input=false', '-no-color'];
  const tf = (args: string[]) => attempt('env', ['TF_CLI_CONFIG_FILE=/dev/null', 'TF_IN_AUTOMATION=1', 'terraform', `-chdir=${dir}`, ...args]);
  return {
    async load(module: string): Promise<void> {
      await parse('main.tf', module);
      writeFileSync(join(dir, 'main.tf'), module);
      expect(tf(['init', ...env]).status).toBe(0);
    },
    plan: (vars: Record<string, string>) => tf(['plan', ...env, ...Object.entries(vars).map(([k, v]) => `-var=${k}=${v}`)]),
    /** terraform with these arguments in the module's directory; `input` adds -input=false -no-color (for apply, plan, destroy). */
    run: (args: string[], input = true) => tf(input ? [...args, ...env] : args),
  };
}
