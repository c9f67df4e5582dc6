// A patch of js-yaml's text for gen's bundle (scripts/bundle.mjs), kept here
// so that a test can load both js-yamls and compare them
// (test/core/js-yaml-patch.test.ts).
//
// js-yaml makes a table of a mapping's keys (Object.create(null), a
// dictionary object of about 200 bytes) on entering readFlowCollection and
// readBlockMapping, before it looks whether a collection starts there at all.
// composeNode asks readFlowCollection for every node and readBlockMapping for
// every item of a block list, so a block document made one or two dead tables
// per node: 373,000 of them, about 60 MB of the 825 MB that a 10,000-peer
// build allocates. The table holds the keys a merge (<<) brought in, which a
// later key of the mapping may override; only a merge adds to it. The
// bundle's js-yaml makes it at a mapping's first merge, and until then
// storeMappingPair takes null for it: an empty table, which has no key to
// find and none to delete. Made at every mapping's first pair, as before,
// it was a dictionary, a lookup and a delete per pair of a topology that
// has no merge at all.
const KEY_TABLE = '    const overridableKeys = /* @__PURE__ */ Object.create(null);\n';
const TABLE = 'overridableKeys, keyTag, ';
const TABLE_AT_MERGE = 'keyTag === "tag:yaml.org,2002:merge" ? overridableKeys ??= Object.create(null) : overridableKeys, keyTag, ';
const LOOKUP = '!_hasOwnProperty.call(overridableKeys, keyNode)';
const DELETE = '      delete overridableKeys[keyNode];\n';

/** The text of js-yaml's function `name`, with its start and end in `text`. */
function jsYamlFunction(text, name) {
  const start = text.indexOf(`function ${name}(`);
  const end = text.indexOf('\n  function ', start + 1);
  if (start < 0 || end < 0) throw new Error(`js-yaml has no function ${name}`);
  return { start, end, body: text.slice(start, end) };
}

/** `body` with `from` replaced by `to`, where `from` must occur exactly `count` times. */
function replaceCounted(body, from, to, count, what) {
  const parts = body.split(from);
  if (parts.length !== count + 1) throw new Error(`js-yaml's ${what} no longer has the lines the bundle's patch changes`);
  return parts.join(to);
}

/** `text` with the body of js-yaml's function `name` made by `change`. */
function patchFunction(text, name, change) {
  const found = jsYamlFunction(text, name);
  return text.slice(0, found.start) + change(found.body) + text.slice(found.end);
}

/**
 * A reader of collections (readFlowCollection, readBlockMapping) that
 * starts without a table and makes it for the first merge: every use of
 * its table but the one that makes it is a pair stored with its key's tag.
 */
function readerPatch(name, pairs) {
  return (body) => {
    if (body.split('overridableKeys').length - 1 !== pairs + 1 || body.split(`storeMappingPair(state, _result, ${TABLE}`).length + body.split(`storeMappingPair(state, null, ${TABLE}`).length - 2 !== pairs) {
      throw new Error(`js-yaml's ${name} uses its table of keys elsewhere than where it stores a pair`);
    }
    return replaceCounted(replaceCounted(body, KEY_TABLE, '    let overridableKeys = null;\n', 1, name), TABLE, TABLE_AT_MERGE, pairs, name);
  };
}

/**
 * js-yaml's dist/js-yaml.mjs with each table of keys made at the first
 * merge of its mapping. Throws when the lines it changes are not exactly
 * where it expects them: a new js-yaml is then read again before the patch is.
 */
export function lazyKeyTablesPatch(text) {
  let patched = patchFunction(text, 'readFlowCollection', readerPatch('readFlowCollection', 2));
  patched = patchFunction(patched, 'readBlockMapping', readerPatch('readBlockMapping', 4));
  return patchFunction(patched, 'storeMappingPair', (body) => {
    // A merge adds to the table (mergeMappings); a key looks in it and leaves it.
    if (body.split('overridableKeys').length - 1 !== 5 || body.split(', overridableKeys);').length - 1 !== 2) {
      throw new Error("js-yaml's storeMappingPair uses its table of keys elsewhere than in a merge, a lookup and a delete");
    }
    const lookup = replaceCounted(body, LOOKUP, `(overridableKeys === null || ${LOOKUP})`, 1, 'storeMappingPair');
    return replaceCounted(lookup, DELETE, `      if (overridableKeys !== null) delete overridableKeys[keyNode];\n`, 1, 'storeMappingPair');
  });
}

// composeNode copies the parser's state (snapshotState: an object of nine
// fields) at every node before it looks for a tag or an anchor, to go back to
// where they started. readTagProperty returns false at once unless the node
// starts with "!", readAnchorProperty unless it starts with "&", and neither
// changes the state then: without either character the loop ends with the copy
// unused. The bundle's js-yaml ends the loop before copying. A topology has
// neither, so it copied the state for nothing at every one of its nodes.
const PROPERTY_SNAPSHOT = '        const ch = state.input.charCodeAt(state.position);\n        const propertyState = snapshotState(state);\n';
const PROPERTY_READ = '        if (!readTagProperty(state) && !readAnchorProperty(state)) {\n          break;\n        }\n';

/** js-yaml's dist/js-yaml.mjs with composeNode copying its state only where a tag or an anchor starts. */
export function propertySnapshotPatch(text) {
  const compose = jsYamlFunction(text, 'composeNode');
  const tag = jsYamlFunction(text, 'readTagProperty').body;
  const anchor = jsYamlFunction(text, 'readAnchorProperty').body;
  // Both readers look at the character first and return false, untouched, when it is not theirs:
  // before that test they read state.input and state.position, nothing else of the state.
  const first = (body, code) => {
    const at = body.indexOf(`if (ch !== ${code}) return false;`);
    return at >= 0 && body.slice(0, at).split('state.').length - 1 === 2;
  };
  if (!first(tag, 33) || !first(anchor, 38) || compose.body.indexOf(PROPERTY_SNAPSHOT) < 0 || compose.body.indexOf(PROPERTY_READ) < compose.body.indexOf(PROPERTY_SNAPSHOT)) {
    throw new Error("js-yaml's composeNode or its property readers no longer read a tag or an anchor as the bundle's patch expects");
  }
  const body = replaceCounted(
    compose.body,
    PROPERTY_SNAPSHOT,
    '        const ch = state.input.charCodeAt(state.position);\n        if (ch !== 33 && ch !== 38) break;\n        const propertyState = snapshotState(state);\n',
    1,
    'composeNode',
  );
  return text.slice(0, compose.start) + body + text.slice(compose.end);
}

// loadDocuments ends its input with "\0", which its readers take for the end:
// `input + "\0"` is a string of its own, and the first character read of it
// copies the whole text into it (45 MiB for 100,000 peers). The data's
// strings of 13 characters or more are views into that copy, so a lint,
// whose model keeps them, held the text twice. gen reads a file into a
// buffer one byte longer than the file, that byte zero, and decodes both as
// one string (src/io/read-input.ts): given that string as `inputWithNul`,
// the bundle's js-yaml reads it in place of its own copy when it is exactly
// the input and "\0" (a text without a line break at its end, or with a
// byte order mark, changes the input first, and is copied as before).
const INPUT_END = '    state.input += "\\0";\n';
const INPUT_END_GIVEN =
  '    const inputWithNul = options.inputWithNul;\n' +
  '    if (typeof inputWithNul === "string" && inputWithNul.length === input.length + 1 && inputWithNul.charCodeAt(input.length) === 0 && inputWithNul.slice(0, -1) === input) state.input = inputWithNul;\n' +
  '    else state.input += "\\0";\n';

/** js-yaml's dist/js-yaml.mjs reading a given input with its "\0" in place of a copy of the input with it. */
export function givenInputEndPatch(text) {
  return patchFunction(text, 'loadDocuments', (body) => {
    // The input is read only after the end is added: the state holds the input it was made with until then.
    if (body.indexOf(INPUT_END) < 0 || body.indexOf(INPUT_END) > body.indexOf('readDocument(state)') || body.indexOf('const state = new State(input, options);') > body.indexOf(INPUT_END)) {
      throw new Error("js-yaml's loadDocuments no longer ends its input with \"\\0\" as the bundle's patch expects");
    }
    return replaceCounted(body, INPUT_END, INPUT_END_GIVEN, 1, 'loadDocuments');
  });
}

// readBlockSequence builds a list by push, and V8 gives an empty array a
// store of 17 items at its first push: a list of one item (a rule's ports)
// took 152 bytes where 24 hold it, and as the data lives on, each such
// store is copied into memory touched for the first time. The bundle's
// js-yaml returns a copy of the list's length (slice), where no anchor
// names the list: an alias must find the very list its anchor marks.
const SEQUENCE_ANCHOR = '    const _anchor = state.anchor;\n    const _result = [];\n';
const SEQUENCE_RESULT = '      state.result = _result;\n';

/** js-yaml's dist/js-yaml.mjs returning each block list without an anchor in a store of its length. */
export function exactListsPatch(text) {
  return patchFunction(text, 'readBlockSequence', (body) => {
    if (body.indexOf(SEQUENCE_ANCHOR) < 0 || body.split('storeAnchor(state, state.anchor, _result);').length !== 2 || body.split('_anchor').length !== 3) {
      throw new Error("js-yaml's readBlockSequence no longer anchors its list as the bundle's patch expects");
    }
    return replaceCounted(body, SEQUENCE_RESULT, '      state.result = _anchor === null ? _result.slice() : _result;\n', 1, 'readBlockSequence');
  });
}

// captureSegment tests each plain and block scalar it reads against
// PATTERN_NON_PRINTABLE: a regex call per segment, 320,000 of them for
// 10,000 peers. gen scans its text once for every character that pattern can
// match (src/yaml-printable.ts), and tells js-yaml the text has none with
// the option `printable`: the bundle's js-yaml then skips the tests, which
// could find nothing (a segment is part of the input, and its edges lie
// beside ASCII signs or the input's ends, where the pattern's look at a
// neighbouring half of a surrogate pair reads the same). Without the
// option it tests each segment as before, and throws at the same place.
// Quoted scalars take the other branch, a test of each character, which is
// unchanged.
const SEGMENT_TEST = '      } else if (PATTERN_NON_PRINTABLE.test(_result)) {\n';
const STATE_END = '    this.anchorMapTransactions = [];\n  }';

/** js-yaml's dist/js-yaml.mjs testing no segment for non-printable characters when its caller says the input has none. */
export function printableInputPatch(text) {
  const patched = patchFunction(text, 'State', (body) => {
    // The loader's State (the first in the text; the dumper's comes later), made with the options the loader was given.
    if (!body.startsWith('function State(input, options) {\n    this.input = input;\n') || body.indexOf(STATE_END) < 0) {
      throw new Error("js-yaml's State is no longer made as the bundle's patch expects");
    }
    return replaceCounted(body, STATE_END, '    this.anchorMapTransactions = [];\n    this.printable = options.printable === true;\n  }', 1, 'State');
  });
  return patchFunction(patched, 'captureSegment', (body) => replaceCounted(body, SEGMENT_TEST, '      } else if (!state.printable && PATTERN_NON_PRINTABLE.test(_result)) {\n', 1, 'captureSegment'));
}

// skipSeparationSpace and readPlainScalar step through the text a character
// at a time, each step a read of state.input and state.position and a write
// of state.position (and of state.lineIndent for each space of
// indentation), fields of an object that every reader shares: TurboFan
// keeps none of them in a register across the loop. The two took a ninth of
// a lint's instructions, some 700 per scalar. The bundle's skipSeparationSpace
// steps with locals, reads a line break in place (readLineBreak, a call per
// line: 342,000 for 10,000 peers), and writes the position back before it
// calls anything that reads the state (throwWarning) and when it returns;
// its readPlainScalar steps with locals over the run of characters that the
// loop's body would only step over (none of ":", "#", a line break, a flow
// indicator inside a flow collection, nor the first character of a line,
// where a document marker may start, and no folded line pending), then
// goes on as js-yaml does.
const SKIP_SPACE = `function skipSeparationSpace(state, allowComments, checkIndent) {
    let lineBreaks = 0;
    let ch = state.input.charCodeAt(state.position);
    while (ch !== 0) {
      while (isWhiteSpace(ch)) {
        if (ch === 9 && state.firstTabInLine === -1) {
          state.firstTabInLine = state.position;
        }
        ch = state.input.charCodeAt(++state.position);
      }
      if (allowComments && ch === 35) {
        do {
          ch = state.input.charCodeAt(++state.position);
        } while (ch !== 10 && ch !== 13 && ch !== 0);
      }
      if (isEol(ch)) {
        readLineBreak(state);
        ch = state.input.charCodeAt(state.position);
        lineBreaks++;
        state.lineIndent = 0;
        while (ch === 32) {
          state.lineIndent++;
          ch = state.input.charCodeAt(++state.position);
        }
      } else {
        break;
      }
    }
    if (checkIndent !== -1 && lineBreaks !== 0 && state.lineIndent < checkIndent) {
      throwWarning(state, "deficient indentation");
    }
    return lineBreaks;
  }`;
const SKIP_SPACE_LOCAL = `function skipSeparationSpace(state, allowComments, checkIndent) {
    let lineBreaks = 0;
    const input = state.input;
    let position = state.position;
    let ch = input.charCodeAt(position);
    while (ch !== 0) {
      while (ch === 9 || ch === 32) {
        if (ch === 9 && state.firstTabInLine === -1) {
          state.firstTabInLine = position;
        }
        ch = input.charCodeAt(++position);
      }
      if (allowComments && ch === 35) {
        do {
          ch = input.charCodeAt(++position);
        } while (ch !== 10 && ch !== 13 && ch !== 0);
      }
      if (ch === 10 || ch === 13) {
        // readLineBreak, written out (LINE_BREAK below).
        if (ch === 13 && input.charCodeAt(position + 1) === 10) {
          position++;
        }
        position++;
        state.line += 1;
        state.lineStart = position;
        state.firstTabInLine = -1;
        ch = input.charCodeAt(position);
        lineBreaks++;
        let lineIndent = 0;
        while (ch === 32) {
          lineIndent++;
          ch = input.charCodeAt(++position);
        }
        state.lineIndent = lineIndent;
      } else {
        break;
      }
    }
    state.position = position;
    if (checkIndent !== -1 && lineBreaks !== 0 && state.lineIndent < checkIndent) {
      throwWarning(state, "deficient indentation");
    }
    return lineBreaks;
  }`;
const PLAIN_LOOP = `    while (ch !== 0) {
      if (ch === 58) {`;
const PLAIN_LOOP_RUN = `    while (ch !== 0) {
      if (!hasPendingContent) {
        const input = state.input;
        const lineStart = state.lineStart;
        let position = state.position;
        while (ch !== 0 && ch !== 58 && ch !== 35 && ch !== 10 && ch !== 13 && position !== lineStart && !(withinFlowCollection && (ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125))) {
          if (!(ch === 9 || ch === 32)) {
            captureEnd = position + 1;
          }
          ch = input.charCodeAt(++position);
        }
        state.position = position;
        if (ch === 0) {
          break;
        }
      }
      if (ch === 58) {`;

// What the bundle's skipSeparationSpace writes out for a line break it is at (\n, or \r with or without \n).
const LINE_BREAK = `function readLineBreak(state) {
    const ch = state.input.charCodeAt(state.position);
    if (ch === 10) {
      state.position++;
    } else if (ch === 13) {
      state.position++;
      if (state.input.charCodeAt(state.position) === 10) {
        state.position++;
      }
    } else {
      throwError(state, "a line break is expected");
    }
    state.line += 1;
    state.lineStart = state.position;
    state.firstTabInLine = -1;
  }`;

/** js-yaml's dist/js-yaml.mjs stepping through spaces and plain scalars with locals in place of the state's fields. */
export function localPositionPatch(text) {
  if (jsYamlFunction(text, 'readLineBreak').body.trimEnd() !== LINE_BREAK) throw new Error("js-yaml's readLineBreak is no longer the function the bundle's skipSeparationSpace writes out");
  const skip = jsYamlFunction(text, 'skipSeparationSpace');
  if (skip.body.trimEnd() !== SKIP_SPACE) throw new Error("js-yaml's skipSeparationSpace is no longer the function the bundle's patch rewrites");
  const patched = text.slice(0, skip.start) + SKIP_SPACE_LOCAL + text.slice(skip.start + SKIP_SPACE.length);
  return patchFunction(patched, 'readPlainScalar', (body) => {
    // The loop's body as the run above reads it: these tests, in this order, then the folded lines, then the step.
    const loop = body.slice(body.indexOf(PLAIN_LOOP));
    const expected = [
      'if (ch === 58) {',
      'isWsOrEol(following) || withinFlowCollection && isFlowIndicator(following)',
      '} else if (ch === 35) {',
      '} else if (state.position === state.lineStart && testDocumentSeparator(state) || withinFlowCollection && isFlowIndicator(ch)) {',
      '} else if (isEol(ch)) {',
      'if (hasPendingContent) {',
      'if (!isWhiteSpace(ch)) {\n        captureEnd = state.position + 1;\n      }\n      ch = state.input.charCodeAt(++state.position);\n    }\n    captureSegment(state, captureStart, captureEnd, false);',
    ];
    let at = 0;
    for (const part of expected) {
      const found = loop.indexOf(part, at);
      if (found < 0) throw new Error("js-yaml's readPlainScalar no longer steps through a scalar as the bundle's patch expects");
      at = found + part.length;
    }
    return replaceCounted(body, PLAIN_LOOP, PLAIN_LOOP_RUN, 1, 'readPlainScalar');
  });
}

// composeNode asks five readers in turn whether a node of theirs starts
// here: readFlowCollection ([ or {), readBlockScalar (| or >),
// readSingleQuotedScalar ('), readDoubleQuotedScalar (") and readAlias (*).
// Each looks at the character first and returns false, the state untouched,
// when it is not its own, but each is a call (a large topology's inlining
// budget leaves them calls): five per plain scalar, 1.5 million for 10,000
// peers. The bundle's composeNode looks at the character itself and calls
// a reader only where its node can start.
const NODE_STARTS = [
  { reader: 'readFlowCollection', call: 'readFlowCollection(state, flowIndent)', codes: [91, 123] },
  { reader: 'readBlockScalar', call: 'readBlockScalar(state, flowIndent)', codes: [124, 62] },
  { reader: 'readSingleQuotedScalar', call: 'readSingleQuotedScalar(state, flowIndent)', codes: [39] },
  { reader: 'readDoubleQuotedScalar', call: 'readDoubleQuotedScalar(state, flowIndent)', codes: [34] },
  { reader: 'readAlias', call: 'readAlias(state)', codes: [42] },
];

/** Whether `body` (a reader) returns false, having changed nothing, unless the character at the state's position is one of `codes`. */
function startsWithCharacterTest(body, codes) {
  const read = '    let ch = state.input.charCodeAt(state.position);\n';
  const at = body.indexOf(read);
  if (at < 0) return false;
  // Before the read, only declarations: of nothing, of a constant, or of a field of the state.
  const before = body.slice(body.indexOf('{\n') + 2, at).split('\n').filter((line) => line.trim() !== '');
  if (!before.every((line) => /^    (let|const) \w+( = (null|true|false|\d+|CHOMPING_CLIP|nodeIndent|state\.(tag|anchor)))?;$/.test(line))) return false;
  const after = body.slice(at + read.length);
  if (codes.length === 1) return after.startsWith(`    if (ch !== ${codes[0]}) return false;\n`) || after.startsWith(`    if (ch !== ${codes[0]}) {\n      return false;\n    }\n`);
  // Two characters: an if and an else if on them, and an else that returns false, each branch setting only locals.
  const test = new RegExp(`^    if \\(ch === ${codes[0]}\\) \\{\\n(      \\w+ = [^;\\n]+;\\n)+    \\} else if \\(ch === ${codes[1]}\\) \\{\\n(      \\w+ = [^;\\n]+;\\n)+    \\} else \\{\\n      return false;\\n    \\}\\n`);
  return test.test(after) && !/state\./.test(after.slice(0, after.indexOf('return false;')));
}

/** js-yaml's dist/js-yaml.mjs whose composeNode calls a reader only where the character at the position can start its node. */
export function nodeStartPatch(text) {
  for (const { reader, codes } of NODE_STARTS) {
    if (!startsWithCharacterTest(jsYamlFunction(text, reader).body, codes)) throw new Error(`js-yaml's ${reader} no longer returns false at once for a node that does not start with its sign`);
  }
  return patchFunction(text, 'composeNode', (body) =>
    NODE_STARTS.reduce((patched, { reader, call, codes }) => {
      const test = codes.map((code) => `state.input.charCodeAt(state.position) === ${code}`).join(' || ');
      return replaceCounted(patched, call, `((${test}) && ${call})`, 1, `composeNode's call of ${reader}`);
    }, body),
  );
}

/** js-yaml's dist/js-yaml.mjs as the bundle has it: every patch above. */
export function bundledJsYamlPatch(text) {
  return nodeStartPatch(localPositionPatch(printableInputPatch(exactListsPatch(givenInputEndPatch(propertySnapshotPatch(lazyKeyTablesPatch(text)))))));
}
