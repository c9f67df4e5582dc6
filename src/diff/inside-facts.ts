// What clients inside reach by the public address, as `gen diff` words it:
// a port forward's NAT reflection (its rdr repeated on the interfaces
// inside, resolve/reflected.ts). It does not show in the policy's words: a
// forward's WAN pass is the same with or without reflection; yet it changes
// where a client inside lands when it uses the public address.
import type { PortForward, Site } from '../model.js';
import type { Fact } from './fact.js';

function reflectionFact(site: string, forward: PortForward): Fact {
  const what = `a connection to the ${forward.interface} address on ${forward.proto.toUpperCase()} ${forward.port} reaches ${forward.target}:${forward.targetPort}`;
  return {
    key: `reflection ${site}/${forward.name}`,
    state: what,
    added: `port forward ${forward.name} now reflected to clients inside: ${what}`,
    removed: `port forward ${forward.name} no longer reflected to clients inside (was: ${what})`,
    changed: () => `port forward ${forward.name} reflected to clients inside: ${what}`,
  };
}

/** The facts of a site's reflected port forwards. */
export function insideFacts(site: Site): Fact[] {
  const facts: Fact[] = [];
  for (const forward of site.firewall?.nat.portForwards ?? []) if (forward.reflection) facts.push(reflectionFact(site.name, forward));
  return facts;
}
