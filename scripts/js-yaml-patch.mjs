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
