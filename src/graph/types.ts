// The graph's structure, which build.ts fills and mermaid.ts and dot.ts spell;
// its own module so that the parts build.ts draws with (reflection.ts) name
// the edge type without importing build.ts back.

export interface GraphNode {
  id: string;
  label: string;
  shape: 'box' | 'round' | 'network';
}

export interface GraphCluster {
  id: string;
  label: string;
  nodes: GraphNode[];
  clusters: GraphCluster[];
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  kind: 'link' | 'flow';
}

export interface Graph {
  clusters: GraphCluster[];
  edges: GraphEdge[];
}
