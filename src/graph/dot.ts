// Graphviz DOT spelling of the topology graph (rendered to SVG by `dot`).
import type { Graph, GraphCluster } from './build.js';

/** A DOT double-quoted string: backslash and quote escaped, newlines as \n. */
function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

function cluster(c: GraphCluster, indent: string, lines: string[]): void {
  lines.push(`${indent}subgraph cluster_${c.id} {`, `${indent}  label=${quoted(c.label)};`);
  for (const n of c.nodes) {
    const shape = n.shape === 'network' ? 'hexagon' : n.shape === 'round' ? 'ellipse' : 'box';
    lines.push(`${indent}  ${n.id} [label=${quoted(n.label)}, shape=${shape}];`);
  }
  for (const inner of c.clusters) cluster(inner, `${indent}  `, lines);
  lines.push(`${indent}}`);
}

export function toDot(graph: Graph): string {
  const lines = ['digraph topology {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];'];
  for (const c of graph.clusters) cluster(c, '  ', lines);
  for (const e of graph.edges) {
    const attributes = [e.label ? `label=${quoted(e.label)}` : '', e.kind === 'flow' ? 'style=dashed, color="#22aa77"' : 'arrowhead=none'].filter(Boolean).join(', ');
    lines.push(`  ${e.from} -> ${e.to} [${attributes}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
