// What clients inside see of the public names and addresses, as `gen diff`
// words it: a port forward's NAT reflection (its rdr repeated on the
// interfaces inside, resolve/reflected.ts) and the Unbound host overrides
// that answer HAProxy's host names with an address inside
// (resolve/split-dns.ts). Neither shows in the policy's words: a forward's
// WAN pass is the same with or without reflection, and an override passes
// nothing; yet each changes where a client inside lands when it uses the
// public name or address.
import type { PortForward, Site } from '../model.js';
import { type SplitDnsLeft, splitDns } from '../resolve/split-dns.js';
import type { Fact } from './fact.js';

function reflectionFact(site: string, forward: PortForward): Fact {
  const where = `the ${forward.interface} address on ${forward.proto.toUpperCase()} ${forward.port}`;
  const target = `${forward.target}:${forward.targetPort}`;
  const what = `a connection to ${where} reaches ${target}`;
  return {
    key: `reflection ${site}/${forward.name}`,
    state: `${where}\t${target}`,
    added: `port forward ${forward.name} now reflected to clients inside: ${what}`,
    removed: `port forward ${forward.name} no longer reflected to clients inside (was: ${what})`,
    // What moved, from the old to the new: clients inside that used the old target by the public address no longer reach it.
    changed: (before) => {
      const [was, wasTarget] = before.state.split('\t') as [string, string];
      const moved =
        was === where
          ? `the target of a connection to ${where} moved from ${wasTarget} to ${target}`
          : wasTarget === target
            ? `a connection to ${target} moved from ${was} to ${where}`
            : `a connection moved from ${was} to ${where}, its target from ${wasTarget} to ${target}`;
      return `port forward ${forward.name} reflected to clients inside: ${moved}`;
    },
  };
}

const LEFT_REASON: Record<Exclude<SplitDnsLeft['reason'], 'wildcard'>, (frontend: string) => string> = {
  'opted out': (frontend) => `split_dns: false on frontend ${frontend}`,
  // split-dns.ts: only a frontend on every address has no bind address to answer with.
  'no address': (frontend) => `frontend ${frontend} binds every address and the WAN takes its address by DHCP`,
};

/** The state of a name the resolver leaves to the public DNS: marked so that no address reads like it. */
const NOT_ANSWERED = 'not answered: ';

function answerFact(site: string, name: string, frontend: string, state: string): Fact {
  const what = `HAProxy host name ${name}`;
  const answered = (s: string) => !s.startsWith(NOT_ANSWERED);
  const words = (s: string) => (answered(s) ? `answered inside with ${s} (Unbound host override, frontend ${frontend})` : `left to the public DNS inside (${s.slice(NOT_ANSWERED.length)})`);
  return {
    key: `split-dns ${site}/${name}`,
    state,
    added: answered(state) ? `${what} now ${words(state)}` : `${what} ${words(state)}`,
    removed: answered(state) ? `${what} no longer answered inside by the firewall's resolver (was ${state})` : `${what} no longer one gen leaves to the public DNS inside`,
    changed: (before) => {
      if (answered(state) && answered(before.state)) return `${what} now answered inside with ${state} (was ${before.state})`;
      if (answered(state)) return `${what} now ${words(state)}`;
      if (answered(before.state)) return `${what} no longer answered inside by the firewall's resolver (was ${before.state}): ${words(state)}`;
      return `${what} ${words(state)}`;
    },
  };
}

/** The facts of a site's reflected port forwards and of its resolver's answers to HAProxy's host names behind the upstream router. */
export function insideFacts(site: Site): Fact[] {
  const facts: Fact[] = [];
  for (const forward of site.firewall?.nat.portForwards ?? []) if (forward.reflection) facts.push(reflectionFact(site.name, forward));
  const plan = splitDns(site);
  const seen = new Set<string>();
  for (const override of plan.overrides) {
    seen.add(override.name);
    facts.push(answerFact(site.name, override.name, override.frontend.name, override.address));
  }
  // A wildcard name is never answered (split-dns.ts); a name opted out or without an address is, once that changes.
  // A name another frontend's override answers is answered: one fact per name.
  for (const left of plan.left) {
    if (left.reason === 'wildcard') continue;
    const why = LEFT_REASON[left.reason](left.frontend.name);
    for (const name of left.names) {
      if (seen.has(name)) continue;
      seen.add(name);
      facts.push(answerFact(site.name, name, left.frontend.name, `${NOT_ANSWERED}${why}`));
    }
  }
  return facts;
}
