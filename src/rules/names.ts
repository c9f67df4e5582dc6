// Names must be unique where they are used as references or become
// identifiers in generated files, and the files they name must be distinct
// on every file system, also one that ignores case.
import type { Path } from '../location.js';
import { AWS_DIR, TREE_ROOT_FILES } from '../manifest.js';
import type { Model } from '../model.js';
import { peerKeyPath } from '../secrets.js';
import { clientFileStem } from '../targets/wireguard/names.js';
import type { Rule, RuleReport } from './rule.js';

/** Something whose name becomes a file name: a site, a Proxmox host, a peer. */
interface Owner {
  kind: string;
  name: string;
  /** What names/duplicate compares: two owners with the same key are its finding, not this rule's. */
  key: string;
}

/** A file or directory gen writes (in out/ or in the secrets directory) that a name of the topology names. */
interface Claim {
  /** Relative to out/ or to the secrets directory (they never share a file). */
  file: string;
  /** What the file is, and its name as a message shows it: "client file", "mac-ws.conf". */
  noun: 'client file' | 'private key' | 'directory';
  shown: string;
  owner: Owner;
  /** Where the name that makes the file name is written. */
  path: Path;
}

/** "client files a.conf and b.conf", "private key k.key and client file a.conf". */
function listed(claims: readonly Claim[]): string {
  const words = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items[0]!);
  const noun = claims[0]!.noun;
  if (claims.every((c) => c.noun === noun)) return `${claims.length > 1 ? noun.replace(/y$/, 'ie') + 's' : noun} ${words(claims.map((c) => c.shown))}`;
  return words(claims.map((c) => `${c.noun} ${c.shown}`));
}

/**
 * A claim by its file alone, the rest made when a file is claimed twice:
 * 100,000 peers make 300,000 claims, whose owners, paths and messages were
 * a tenth of a lint and almost never needed.
 */
interface LazyClaim {
  file: string;
  claim(): Claim;
}

/**
 * Reports each owner whose claims fall on an earlier owner's files when case
 * does not count (two names of one file on macOS's and Windows' default file
 * systems), once per pair of owners, at the later owner's name.
 */
function reportSameFiles(claims: readonly LazyClaim[], report: RuleReport): void {
  const first = new Map<string, LazyClaim>();
  const pairs = new Map<Owner, Map<Owner, [Claim, Claim][]>>();
  // Each claim made once, however many files it meets.
  const made = new Map<LazyClaim, Claim>();
  const full = (lazy: LazyClaim) => {
    let claim = made.get(lazy);
    if (!claim) made.set(lazy, (claim = lazy.claim()));
    return claim;
  };
  for (const lazy of claims) {
    const folded = lazy.file.toLowerCase();
    const before = first.get(folded);
    if (!before) {
      first.set(folded, lazy);
      continue;
    }
    const earlier = full(before);
    const claim = full(lazy);
    if (earlier.owner === claim.owner || earlier.owner.key === claim.owner.key) continue;
    const byEarlier = pairs.get(claim.owner) ?? new Map<Owner, [Claim, Claim][]>();
    pairs.set(claim.owner, byEarlier);
    byEarlier.set(earlier.owner, [...(byEarlier.get(earlier.owner) ?? []), [earlier, claim]]);
  }
  for (const [later, byEarlier] of pairs) {
    for (const [earlier, found] of byEarlier) {
      const own = found.map(([, claim]) => claim);
      const theirs = found.map(([claim]) => claim);
      const exact = found.every(([a, b]) => a.file === b.file);
      const who = (owner: Owner) => `${owner.kind} ${owner.name}`;
      const message = exact
        ? `${who(later)}: its ${listed(own)} ${own.length > 1 ? 'are' : 'is'} also ${who(earlier)}'s, so one would replace the other`
        : `${who(later)}: its ${listed(own)} ${own.length > 1 ? 'differ' : 'differs'} only in case from ${who(earlier)}'s ${listed(theirs)}: a file system that ignores case (the default on macOS and Windows) takes ${own.length > 1 ? 'each pair' : 'the two'} for one file, so one would replace the other`;
      const at = own[0]!.path;
      const hint = own.some((c) => c.noun === 'private key')
        ? `Rename ${who(later)} so that it differs from ${earlier.name} in more than case (its private key takes the peer's name, whatever its tunnel_name).`
        : own[0]!.noun === 'client file'
          ? `Set tunnel_name on ${who(later)}${at[at.length - 1] === 'tunnel_name' ? '' : ` or ${who(earlier)}`} so that their client files differ in more than case.`
          : `Rename ${who(later)} so that it differs from ${earlier.name} in more than case.`;
      report({ path: at, message, hint, related: [{ message: who(earlier), path: theirs[0]!.path }] });
    }
  }
}

/** The files and directories named after the topology's names, by the place they share: the top of out/ and the secrets directory, then each site's. */
function claimsOf(model: Model): LazyClaim[][] {
  const owner = (kind: string, scope: string, name: string): Owner => ({ kind, name, key: `${kind}\u0000${scope}\u0000${name}` });
  const top: LazyClaim[] = [];
  const groups = [top];
  for (const site of model.sites) {
    top.push({ file: site.name, claim: () => ({ file: site.name, noun: 'directory', shown: `${site.name}/`, owner: owner('site', 'topology', site.name), path: site.path.concat('name') }) });
    const claims: LazyClaim[] = [];
    groups.push(claims);
    for (const host of site.hosts) {
      const file = `proxmox/${host.name}/`;
      claims.push({ file, claim: () => ({ file, noun: 'directory', shown: `${site.name}/proxmox/${host.name}/`, owner: owner('Proxmox host', `site ${site.name}`, host.name), path: host.path.concat('name') }) });
    }
    const instancePrefix = site.wireguard.length > 1;
    for (const instance of site.wireguard) {
      for (const peer of instance.peers) {
        // One owner for all the peer's claims (a peer's own files never collide with each other).
        let who: Owner | undefined;
        const peerOwner = () => (who ??= owner('peer', `instance ${instance.name}`, peer.name));
        // Names hold no path separator (the schema's name pattern): the key's file, as peerKeyPath joins it.
        const keyFile = `keys/${site.name}/wireguard/${instance.name}/peers/${peer.name}.key`;
        claims.push({
          file: keyFile,
          claim: () => {
            const key = peerKeyPath(site.name, instance.name, peer.name);
            return { file: keyFile, noun: 'private key', shown: key, owner: peerOwner(), path: peer.path.concat('name') };
          },
        });
        // Client files: only an enabled peer's are written.
        if (!peer.enabled) continue;
        for (const lan of instance.lanEndpoint !== undefined ? [false, true] : [false]) {
          const stem = clientFileStem(instance.name, peer.tunnelName, { lan, instancePrefix });
          const file = `wireguard/${stem}.conf`;
          claims.push({ file, claim: () => ({ file, noun: 'client file', shown: `${stem}.conf`, owner: peerOwner(), path: peer.path.concat(peer.tunnelName !== peer.name ? 'tunnel_name' : 'name') }) });
        }
      }
    }
  }
  return groups;
}

export const nameRules: Rule[] = [
  {
    id: 'names/duplicate',
    severity: 'error',
    summary: 'Two things of the same kind share a name in one scope (peers, zones, interfaces, subnets, groups...).',
    why: 'Names are references and become file names, UUIDs and Terraform identifiers: a duplicate makes one of the two vanish.',
    hint: 'Rename one of them.',
    examples: [
      {
        where: 'sites[].wireguard[].peers[+]',
        bad: '{ name: laptop-john, role: workstation, address: 10.0.1.4, public_key: eajhiClqdn4DDwQW29Ru4kFkNJxNiADHeD5oQ0BLmD4= }',
        good: '{ name: laptop-jane, role: workstation, address: 10.0.1.4, public_key: eajhiClqdn4DDwQW29Ru4kFkNJxNiADHeD5oQ0BLmD4= }',
      },
    ],
    check(model, report) {
      // By kind, scope and name, in maps: a key string joined for each of 300,000 names was most of the rule.
      const first = new Map<string, Map<string, Map<string, (typeof model.names)[number]>>>();
      for (const thing of model.names) {
        let byScope = first.get(thing.kind);
        if (!byScope) first.set(thing.kind, (byScope = new Map()));
        let byName = byScope.get(thing.scope);
        if (!byName) byScope.set(thing.scope, (byName = new Map()));
        const earlier = byName.get(thing.name);
        if (!earlier) {
          byName.set(thing.name, thing);
          continue;
        }
        report({
          path: thing.path.concat(thing.field ?? 'name'),
          message: `${thing.kind} "${thing.name}" is declared twice in ${thing.scope}`,
          related: [{ message: `first declared here`, path: earlier.path.concat(earlier.field ?? 'name') }],
        });
      }
    },
  },
  {
    id: 'names/same-file',
    severity: 'error',
    summary:
      'Two names give the same file, or files whose names differ only in case: client files (peer names and tunnel_name), private keys (peer names), the directories of sites and Proxmox hosts; or a site is named like a file at the root of out/ (plan.json, graph.md, MANIFEST).',
    why: 'A file system that ignores case, the default on macOS and Windows, takes Laptop-John.conf and laptop-john.conf for one file: a build there fails on the second, an update silently replaces one client file (or private key) with the other, and an out/ committed on Linux cannot be checked out. The WireGuard apps there also take tunnel names without case. Two tunnel names that are equal give one file everywhere.',
    hint: 'Rename one of the two, or set tunnel_name, so that they differ in more than case.',
    examples: [
      {
        where: 'sites[].wireguard[].peers[laptop-john]',
        bad: 'name: laptop-john\ntunnel_name: MAC-WS',
        good: 'name: laptop-john\ntunnel_name: john-ws',
      },
    ],
    check(model, report) {
      for (const claims of claimsOf(model)) reportSameFiles(claims, report);
      // A site's directory sits beside gen's own files at the root of out/ (and its aws/ directory): one name cannot be both.
      for (const site of model.sites) {
        const file = TREE_ROOT_FILES.find((f) => f.toLowerCase() === site.name.toLowerCase());
        if (file) {
          report({
            path: site.path.concat('name'),
            message: `site ${site.name} would be the directory out/${site.name}, where gen writes its file ${file}`,
            hint: `Rename the site: ${TREE_ROOT_FILES.join(', ')} are gen's files at the root of out/.`,
          });
        } else if (model.aws && site.name.toLowerCase() === AWS_DIR) {
          report({
            path: site.path.concat('name'),
            message: `site ${site.name} would share its directory out/${site.name} with gen's AWS files in out/${AWS_DIR}/ (one directory where case does not count)`,
            hint: `Rename the site: out/${AWS_DIR}/ holds the Terraform of the topology's aws section.`,
          });
        }
      }
    },
  },
];
