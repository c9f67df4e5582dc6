// Drawing with Graphviz `dot` for gen graph -o FILE.svg / FILE.png. A dot
// that fails says why in one sentence: not installed, stopped after the
// time limit (a huge graph can keep dot busy for a long time, and gen
// would wait silently), or its exit status or signal when it printed
// nothing on stderr.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { envWholeNumber } from '../io/env-number.js';
import { reasonOf } from '../io/errors.js';
import { terminalText } from '../io/terminal.js';

const DEFAULT_TIMEOUT_MS = 120_000;

/** How long dot may draw: GEN_DOT_TIMEOUT_MS, else two minutes. */
function timeLimit(): number {
  return envWholeNumber('GEN_DOT_TIMEOUT_MS', DEFAULT_TIMEOUT_MS, 1, 'a number of milliseconds');
}

/** Why dot did not draw, or undefined when it did. */
export function dotFailure(drawn: SpawnSyncReturns<Buffer>, limitMs: number): string | undefined {
  const error = drawn.error as NodeJS.ErrnoException | undefined;
  if (error?.code === 'ENOENT') return 'Graphviz dot is not installed (apt-get install graphviz), or not on PATH';
  if (error?.code === 'ETIMEDOUT') return `Graphviz dot did not finish within ${limitMs / 1000} s and was stopped (GEN_DOT_TIMEOUT_MS sets the limit; -o FILE.dot writes the graph for dot to draw yourself)`;
  if (error) return `Graphviz dot could not be run: ${reasonOf(error)}`;
  if (drawn.status === 0) return undefined;
  const said = drawn.stderr.toString('utf8').trim();
  // dot quotes the graph's text in its errors: shown, not acted on by the terminal.
  if (said !== '') return `Graphviz dot failed: ${terminalText(said)}`;
  return `Graphviz dot failed without a message: ${drawn.signal ? `it was killed by ${drawn.signal}` : `it exited with status ${drawn.status}`}`;
}

/** The drawing in `format`, or why dot did not make it. */
export function drawWithDot(dot: string, format: 'svg' | 'png'): { drawing: Buffer } | { failure: string } {
  const limitMs = timeLimit();
  const drawn = spawnSync('dot', [`-T${format}`], { input: dot, maxBuffer: 256 * 1024 * 1024, timeout: limitMs });
  const failure = dotFailure(drawn, limitMs);
  return failure === undefined ? { drawing: drawn.stdout } : { failure };
}
