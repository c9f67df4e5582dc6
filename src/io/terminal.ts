// Whether a stream gets colours: FORCE_COLOR set (and not 0 or false)
// turns them on, as in Node itself and most command-line tools; otherwise
// NO_COLOR (https://no-color.org) turns them off; otherwise a terminal
// gets them and a pipe or file does not.
export function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}
