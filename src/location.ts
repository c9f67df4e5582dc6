// Where a thing is in the topology file: the leaf every stage shares. A
// `Path` walks the parsed data (keys and list indexes); a `SourceLocation`
// is the file:line:col a diagnostic points at. No imports, so any module may
// use these types without depending on a stage.
export type Path = readonly (string | number)[];

export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/** sites[0].firewall.interfaces[2].address */
export function pathText(path: Path): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
}
