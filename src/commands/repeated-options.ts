// An option that takes a value, given twice with different values
// (`-f a.yaml -f b.yaml`, `-o one -o two`, `--format json --format sarif`):
// the parser keeps the last and drops the other without a word, so
// `gen lint -f a.yaml -f b.yaml` said "b.yaml: no problems" of a run that
// never read a.yaml. Refused as a usage error naming both values, as two
// topology files given as [file] and -f are; the same value twice is fine.
import type { Command } from 'commander';
import { UsageError } from '../io/errors.js';

/** Watches every option that takes a value, of `command` and the commands below it. */
export function refuseRepeatedOptions(command: Command): void {
  for (const option of command.options) {
    if (!option.required && !option.optional) continue;
    let given: string | undefined;
    command.on(`option:${option.name()}`, (value: string) => {
      if (given !== undefined && given !== value) throw new UsageError(`${option.long ?? option.flags} given twice (${given} and ${value}): give it once`);
      given = value;
    });
  }
  for (const sub of command.commands) refuseRepeatedOptions(sub);
}
