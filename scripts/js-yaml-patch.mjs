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
// build allocates. The bundle's js-yaml makes the table when it is first
// needed: after the opening bracket, and at a block mapping's first pair.
const KEY_TABLE = '    const overridableKeys = /* @__PURE__ */ Object.create(null);\n';
const FLOW_OPENED = '    if (state.anchor !== null) {\n      storeAnchor(state, state.anchor, _result);\n    }\n    ch = state.input.charCodeAt(++state.position);\n    while (ch !== 0) {\n';
const BLOCK_PAIR = 'storeMappingPair(state, _result, overridableKeys, ';

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

/**
 * js-yaml's dist/js-yaml.mjs with each table of keys made where it is first
 * needed. Throws when the lines it changes are not exactly where it expects
 * them: a new js-yaml is then read again before the patch is.
 */
export function lazyKeyTablesPatch(text) {
  const flow = jsYamlFunction(text, 'readFlowCollection');
  // The table is made, then used only once the collection is open (where it stores a pair).
  const uses = [...flow.body.matchAll(/overridableKeys/g)].map((m) => m.index);
  if (uses.length !== 3 || flow.body.indexOf(KEY_TABLE) + KEY_TABLE.indexOf('overridableKeys') !== uses[0] || uses[1] < flow.body.indexOf(FLOW_OPENED)) {
    throw new Error("js-yaml's readFlowCollection uses its table of keys elsewhere than where it stores a pair");
  }
  let body = replaceCounted(flow.body, KEY_TABLE, '    let overridableKeys;\n', 1, 'readFlowCollection');
  body = replaceCounted(body, FLOW_OPENED, `    overridableKeys = Object.create(null);\n${FLOW_OPENED}`, 1, 'readFlowCollection');
  const patched = text.slice(0, flow.start) + body + text.slice(flow.end);
  const block = jsYamlFunction(patched, 'readBlockMapping');
  body = replaceCounted(block.body, KEY_TABLE, '    let overridableKeys = null;\n', 1, 'readBlockMapping');
  // Every use of the table is a pair being stored.
  if (body.split('overridableKeys').length - 1 !== 5) throw new Error("js-yaml's readBlockMapping uses its table of keys elsewhere than where it stores a pair");
  body = replaceCounted(body, BLOCK_PAIR, 'storeMappingPair(state, _result, overridableKeys ??= Object.create(null), ', 4, 'readBlockMapping');
  return patched.slice(0, block.start) + body + patched.slice(block.end);
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
