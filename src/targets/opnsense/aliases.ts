// Firewall alias names as OPNsense accepts them (Firewall/FieldTypes/
// AliasNameField.php, the same in 25.7 and 26.7): a letter or a single
// underscore first, then letters, digits and "_", at most 31 characters,
// and not a pf keyword, service or protocol name. gen's aliases are named
// after the object they stand for, prefixed "gen_" and the kind of object,
// which also keeps them clear of every reserved word.
import { createHash } from 'node:crypto';

export const ALIAS_NAME = /^([a-zA-Z]|(([_a-zA-Z][a-zA-Z0-9]|[a-zA-Z][_a-zA-Z0-9])[_a-zA-Z0-9]{0,29}))$/;
export const ALIAS_NAME_MAX = 31;

const PREFIX: Record<string, string> = { peer: 'gen_peer_', role: 'gen_role_', service: 'gen_svc_', network: 'gen_net_', zone: 'gen_zone_' };

/**
 * The alias for an object of `kind` named `name`: the name with every other
 * character as "_"; a name too long, or one that another object's name
 * shares once its characters are replaced (`attempt` 1), ends in a short
 * hash of the original so that the alias stays stable. Six hex digits are
 * not unique among thousands of long names (20,000 peers named
 * laptop-of-employee-number-000001 and on share seven): the caller tries
 * again with the next attempt, which hashes the name with that number,
 * until the alias is one no other object has.
 */
export function aliasName(kind: string, name: string, attempt = 0): string {
  const prefix = PREFIX[kind] ?? 'gen_';
  const plain = `${prefix}${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  if (attempt === 0 && plain.length <= ALIAS_NAME_MAX) return plain;
  const hash = createHash('sha256').update(attempt > 1 ? `${kind}:${name}:${attempt}` : `${kind}:${name}`).digest('hex').slice(0, 6);
  return `${plain.slice(0, ALIAS_NAME_MAX - 7)}_${hash}`;
}
