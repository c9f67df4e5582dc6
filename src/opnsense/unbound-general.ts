// The box's Unbound general settings as the merged config's migrations leave
// them. OPNsense starts Unbound only when general.enabled is set
// (opnsense/core plugins.inc.d/unbound.inc unbound_enabled(), 25.7 to 26.7;
// the model's default is 0) and writes `port: <general.port>` into
// unbound.conf (the model's default is 53). A root the box has not migrated
// past 1.0.5 (none, or gen's unversioned one) takes both from the legacy
// <unbound> (<enable>, <port>) instead, which Unbound/Migrations/M1_0_5.php
// moves into the model (an empty port becomes 53).
import { type XmlElement, attr, child } from '../render/opnsense/xml.js';
import { UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import { fieldText } from './fields.js';
import { boxUnbound } from './unbound-items.js';

/** The first model version whose root holds Unbound's switch (and its port) itself. */
const SWITCH_IN_MODEL = [1, 0, 5];

function migratedPastSwitch(version: string | undefined): boolean {
  if (version === undefined) return false;
  const parts = version.split('.').map(Number);
  for (let i = 0; i < SWITCH_IN_MODEL.length; i++) {
    const have = parts[i] ?? 0;
    if (have !== SWITCH_IN_MODEL[i]) return have > SWITCH_IN_MODEL[i]!;
  }
  return true;
}

/**
 * The box's Unbound general settings after the merged config's migrations:
 * the model's general once its root is past 1.0.5, else the legacy
 * <unbound>, which M1_0_5 moves into the model (`legacy` says which).
 */
export function unboundGeneral(root: XmlElement): { settings: XmlElement | undefined; legacy: boolean } {
  const model = boxUnbound(root);
  return model && migratedPastSwitch(attr(model, 'version')) ? { settings: child(model, 'general'), legacy: false } : { settings: child(root, 'unbound'), legacy: true };
}

/** Whether the box's Unbound runs after the merged config's migrations. */
export function unboundEnabled(root: XmlElement): boolean {
  const { settings, legacy } = unboundGeneral(root);
  if (legacy) return child(settings, 'enable') !== undefined;
  const enabled = fieldText(settings, 'enabled');
  return enabled !== '' && enabled !== '0';
}

/** The port the box's Unbound listens on after the merged config's migrations. */
export function unboundPort(root: XmlElement): string {
  const port = fieldText(unboundGeneral(root).settings, 'port');
  return port === '' ? String(UNBOUND_PORT) : port;
}
