// The `gen wg doctor` command: runs the checks and prints them; exit 1
// when one fails or it cannot run (a topology with errors, no such peer).
import { terminalText } from '../io/terminal.js';
import { CommandError } from './topology-file.js';
import { type DoctorOptions, doctor, formatDoctor } from './doctor.js';

export async function runDoctor(target: string | undefined, options: DoctorOptions & { format: 'text' | 'json' }): Promise<number> {
  try {
    const reports = await doctor(target, options);
    process.stdout.write(formatDoctor(reports, options.file, options.format));
    return reports.some((r) => r.checks.some((c) => c.status === 'fail')) ? 1 : 0;
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    process.stderr.write(`gen: ${terminalText(error.message)}\n`);
    return 1;
  }
}
