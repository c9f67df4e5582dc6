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

/** The settings a `settings` fact's state holds, by label. */
export function settingsOf(fact: Fact): Map<string, string> {
  return new Map(fact.state.split('\n').map((line) => line.split('\t') as [string, string]));
}

/**
 * A thing described by named settings: a change lists the settings that
 * changed, each as before → after. The state holds one line per setting.
 */
export function settings(key: string, name: string, values: readonly (readonly [string, string])[]): Fact {
  const state = values.map(([label, value]) => `${label}\t${value}`).join('\n');
  // A setting the topology leaves unset is only worth words when it changes.
  const shown = values.filter(([, value]) => value !== 'unset').map(([label, value]) => `${label} ${value}`).join(', ');
  return {
    key,
    state,
    added: shown ? `${name} added: ${shown}` : `${name} added`,
    removed: shown ? `${name} removed (was ${shown})` : `${name} removed`,
    changed: (before) => {
      const was = settingsOf(before);
      const parts = values.filter(([label, value]) => was.get(label) !== value).map(([label, value]) => `${label} ${was.get(label) ?? 'unset'} → ${value}`);
      return `${name} changed: ${parts.join(', ')}`;
    },
  };
}
