// What an object holds, read from a V8 heap snapshot: the objects and
// strings reachable from it, whatever garbage the collector has not yet
// reclaimed elsewhere. Weighing the heap a collection frees counts such
// garbage too: a text of 16 MB, dead already, sometimes outlived one forced
// collection and was freed by the next, and was weighed as held.
import { getHeapSnapshot } from 'node:v8';

/** A string the object reaches: its bytes as V8 holds it, and its first characters (V8 names a string by them). */
export interface HeldString {
  size: number;
  text: string;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/**
 * Edges that lead from an object to what every object of its kind shares
 * (its hidden class, prototype, code and the module it was made in), not
 * to what it holds: followed, they reach the whole heap.
 */
const SHARED_EDGES = new Set(['map', '__proto__', 'shared', 'code', 'feedback_cell', 'feedback_vector', 'previous', 'scope_info', 'native_context', 'global_proxy_object', 'constructor', 'prototype']);

class HeapGraphRoot {
  constructor(readonly held: object) {}
}

/**
 * What `root` holds: the strings reachable from it through its properties,
 * elements, collections' tables, closures' own variables and strings' parts
 * (a sliced string's parent, a cons string's halves), and the bytes of all
 * it reaches so. `root` is found in the snapshot through the one object of
 * a class of this file's own that holds it.
 */
export async function heldBy(root: object): Promise<{ strings: HeldString[]; bytes: number }> {
  const holder = new HeapGraphRoot(root);
  const snapshot = JSON.parse(await readAll(getHeapSnapshot())) as Snapshot;
  // Alive until the snapshot is read.
  if (holder.held !== root) throw new Error('the holder lost its object');
  const meta = snapshot.snapshot.meta;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const [nodeTypes] = meta.node_types;
  const [edgeTypes] = meta.edge_types;
  const [TYPE, NAME, SIZE, EDGES] = ['type', 'name', 'self_size', 'edge_count'].map((name) => meta.node_fields.indexOf(name)) as [number, number, number, number];
  const [EDGE_TYPE, EDGE_NAME, EDGE_TO] = ['type', 'name_or_index', 'to_node'].map((name) => meta.edge_fields.indexOf(name)) as [number, number, number];
  const { nodes, edges, strings } = snapshot;
  const count = nodes.length / nodeFields;
  const firstEdge = new Uint32Array(count + 1);
  for (let node = 0, edge = 0; node < count; node++) {
    firstEdge[node] = edge;
    edge += nodes[node * nodeFields + EDGES]! * edgeFields;
  }
  firstEdge[count] = edges.length;
  const typeOf = (node: number) => nodeTypes[nodes[node * nodeFields + TYPE]!]!;
  const nameOf = (node: number) => strings[nodes[node * nodeFields + NAME]!]!;
  const queue: number[] = [];
  for (let node = 0; node < count; node++) if (typeOf(node) === 'object' && nameOf(node) === 'HeapGraphRoot') queue.push(node);
  if (queue.length !== 1) throw new Error(`${queue.length} HeapGraphRoot objects in the heap snapshot`);
  const seen = new Uint8Array(count);
  seen[queue[0]!] = 1;
  const held: HeldString[] = [];
  let bytes = 0;
  for (let next = 0; next < queue.length; next++) {
    const node = queue[next]!;
    const type = typeOf(node);
    if (type === 'code' || type === 'object shape' || (type === 'hidden' && nameOf(node).startsWith('system / NativeContext'))) continue;
    if (next > 0) bytes += nodes[node * nodeFields + SIZE]!;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') held.push({ size: nodes[node * nodeFields + SIZE]!, text: nameOf(node) });
    for (let edge = firstEdge[node]!; edge < firstEdge[node + 1]!; edge += edgeFields) {
      const edgeType = edgeTypes[edges[edge + EDGE_TYPE]!]!;
      if (edgeType === 'weak') continue;
      if (edgeType !== 'element' && edgeType !== 'hidden' && SHARED_EDGES.has(strings[edges[edge + EDGE_NAME]!]!)) continue;
      const to = edges[edge + EDGE_TO]! / nodeFields;
      if (seen[to]) continue;
      seen[to] = 1;
      queue.push(to);
    }
  }
  return { strings: held, bytes };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
