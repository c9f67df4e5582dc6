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

// Characters a terminal acts on rather than shows: C0 (but tab) and C1 controls
// (ESC and CSI, U+009B, start escape sequences; a line break starts what
// reads as another message) and the Unicode bidirectional controls, which
// reorder the text around them. A config.xml can hold all but C0 (XML 1.0's
// Char production), and OPNsense's DescriptionField takes C1 and the bidi
// controls from its web GUI.
const UNSHOWABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escaped(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A message or file text for a terminal that quotes foreign text: every such character is shown as its \uXXXX escape, line breaks and tabs kept. */
export function terminalText(text: string): string {
  return text.replace(UNSHOWABLE, escaped);
}

/** The same for a one-line message: a line break or tab in it is shown as \u000a or \u0009 too. */
export function terminalLine(text: string): string {
  return terminalText(text).replace(/[\n\t]/g, escaped);
}
