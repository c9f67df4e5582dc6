// What gen diff compares: one thing of a resolved model, with the words for
// its appearance, disappearance and change.
export interface Fact {
  /** Stable identity: the same thing in both models has the same key. */
  key: string;
  /** State that, when it differs, makes the thing "changed". */
  state: string;
  added: string;
  removed: string;
  changed: (before: Fact) => string;
}
