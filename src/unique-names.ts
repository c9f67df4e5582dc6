// Names made unique by a number: the first use of a stem keeps it, later
// ones get stem<separator>2, stem<separator>3, … (the lowest number no name
// has taken). Names are never given back, so the search for a free number
// goes on from the last one a stem was given: starting from 2 each time made
// thousands of names that reduce to one stem (graph ids, Terraform names,
// IAM Sids) quadratic.

export class UniqueNames {
  private readonly taken = new Set<string>();
  private readonly next = new Map<string, number>();

  constructor(private readonly separator: string) {}

  /** `stem`, or `stem` with the lowest number that makes it a name not taken yet; taken from now on. */
  take(stem: string): string {
    let name = stem;
    if (this.taken.has(name)) {
      let n = this.next.get(stem) ?? 2;
      while (this.taken.has((name = `${stem}${this.separator}${n}`))) n++;
      this.next.set(stem, n + 1);
    }
    this.taken.add(name);
    return name;
  }
}
