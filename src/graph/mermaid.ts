// Mermaid spelling of the topology graph (GitHub renders it in Markdown).
import type { Graph, GraphCluster, GraphNode } from './build.js';

/** Mermaid entity codes: label text can never close the quotes or inject markup. */
function text(label: string): string {
  return label
    .replace(/#/g, '#35;')
    .replace(/&/g, '#amp;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/\n/g, '<br>');
}

function node(n: GraphNode, indent: string): string {
  const label = `"${text(n.label)}"`;
  const shaped = n.shape === 'network' ? `{{${label}}}` : n.shape === 'round' ? `(${label})` : `[${label}]`;
  return `${indent}${n.id}${shaped}`;
}

function cluster(c: GraphCluster, indent: string, lines: string[]): void {
  lines.push(`${indent}subgraph ${c.id}["${text(c.label)}"]`);
  for (const n of c.nodes) lines.push(node(n, `${indent}  `));
  for (const inner of c.clusters) cluster(inner, `${indent}  `, lines);
  lines.push(`${indent}end`);
}

export function toMermaid(graph: Graph): string {
  const lines = ['flowchart LR'];
  for (const c of graph.clusters) cluster(c, '  ', lines);
  for (const e of graph.edges) {
    const arrow = e.kind === 'flow' ? '-.->' : '---';
    lines.push(`  ${e.from} ${arrow}${e.label ? `|"${text(e.label)}"|` : ''} ${e.to}`);
  }
  return `${lines.join('\n')}\n`;
}
