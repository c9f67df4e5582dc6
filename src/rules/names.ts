// Names must be unique where they are used as references or become
// identifiers in generated files, and the files they name must be distinct
// on every file system, also one that ignores case.
import type { Path } from '../location.js';
import type { Host, Model, Peer, Site, WireguardInstance } from '../model.js';
import { AWS_DIR, TREE_ROOT_FILES, peerKeyPath } from '../paths.js';
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

/** Owners whose claims fall on one file, or on two that differ only in case: by the later owner, then the earlier, the pairs of claims in the order found. */
type Collisions = Map<Owner, Map<Owner, [Claim, Claim][]>>;

/** Notes that `claim` falls on the file of `earlier` (an earlier owner's), unless both are one owner's or names/duplicate's finding. */
function collide(found: Collisions, earlier: Claim, claim: Claim): void {
  if (earlier.owner === claim.owner || earlier.owner.key === claim.owner.key) return;
  let byEarlier = found.get(claim.owner);
  if (!byEarlier) found.set(claim.owner, (byEarlier = new Map()));
  const pairs = byEarlier.get(earlier.owner);
  if (pairs) pairs.push([earlier, claim]);
  else byEarlier.set(earlier.owner, [[earlier, claim]]);
}

/**
 * The files of one directory by their name without case: the first item
 * to claim each, and claims made in full only for a name met twice.
 * Names are ASCII (the schema's name pattern), so the lower case of a
 * name is that of its part of the file's path: 100,000 peers made 300,000
 * paths, a lower-cased copy of each and a closure per claim, almost never
 * needed.
 */
class Files<T> {
  private readonly first = new Map<string, T>();

  constructor(
    private readonly claimOf: (item: T) => Claim,
    private readonly found: Collisions,
  ) {}

  add(name: string, item: T): void {
    const folded = name.toLowerCase();
    const before = this.first.get(folded);
    if (before === undefined) this.first.set(folded, item);
    else collide(this.found, this.claimOf(before), this.claimOf(item));
  }
}

/**
 * Reports each owner whose claims fall on an earlier owner's files when case
 * does not count (two names of one file on macOS's and Windows' default file
 * systems), once per pair of owners, at the later owner's name.
 */
function reportSameFiles(found: Collisions, report: RuleReport): void {
  for (const [later, byEarlier] of found) {
    for (const [earlier, pairs] of byEarlier) {
      const own = pairs.map(([, claim]) => claim);
      const theirs = pairs.map(([claim]) => claim);
      const exact = pairs.every(([a, b]) => a.file === b.file);
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

/** One owner per thing named (a peer's claims share it), made when a claim is. */
function owners(): (thing: object, kind: string, scope: string, name: string) => Owner {
  const made = new Map<object, Owner>();
  return (thing, kind, scope, name) => {
    let owner = made.get(thing);
    if (!owner) made.set(thing, (owner = { kind, name, key: `${kind}\u0000${scope}\u0000${name}` }));
    return owner;
  };
}

/** Sites whose directories at the top of out/ fall on one another. */
function siteCollisions(model: Model): Collisions {
  const found: Collisions = new Map();
  const ownerOf = owners();
  const sites = new Files<Site>((site) => ({ file: site.name, noun: 'directory', shown: `${site.name}/`, owner: ownerOf(site, 'site', 'topology', site.name), path: site.path.concat('name') }), found);
  for (const site of model.sites) sites.add(site.name, site);
  return found;
}

/** A site's files named after its names: its Proxmox hosts' directories, its peers' private keys and client files. */
function fileCollisions(site: Site): Collisions {
  const found: Collisions = new Map();
  const ownerOf = owners();
  const hosts = new Files<Host>(
    (host) => ({ file: `proxmox/${host.name}/`, noun: 'directory', shown: `${site.name}/proxmox/${host.name}/`, owner: ownerOf(host, 'Proxmox host', `site ${site.name}`, host.name), path: host.path.concat('name') }),
    found,
  );
  for (const host of site.hosts) hosts.add(host.name, host);

  // The instance of a peer, for the few claims made in full.
  let instances: Map<Peer, WireguardInstance> | undefined;
  const instanceOf = (peer: Peer) => (instances ??= new Map(site.wireguard.flatMap((w) => w.peers.map((p) => [p, w] as const)))).get(peer)!;
  const peerOwner = (peer: Peer) => ownerOf(peer, 'peer', `instance ${instanceOf(peer).name}`, peer.name);
  const keyClaim = (peer: Peer): Claim => {
    const instance = instanceOf(peer);
    // Names hold no path separator (the schema's name pattern): the key's file, as peerKeyPath joins it.
    const file = `keys/${site.name}/wireguard/${instance.name}/peers/${peer.name}.key`;
    return { file, noun: 'private key', shown: peerKeyPath(site.name, instance.name, peer.name), owner: peerOwner(peer), path: peer.path.concat('name') };
  };
  const instancePrefix = site.wireguard.length > 1;
  const plain = { lan: false, instancePrefix };
  const withLan = { lan: true, instancePrefix };
  // A client file with the LAN endpoint is known by its peer in a box.
  const clients = new Files<Peer | { lan: Peer }>((item) => {
    const lan = 'lan' in item;
    const peer = lan ? item.lan : item;
    const stem = clientFileStem(instanceOf(peer).name, peer.tunnelName, lan ? withLan : plain);
    return { file: `wireguard/${stem}.conf`, noun: 'client file', shown: `${stem}.conf`, owner: peerOwner(peer), path: peer.path.concat(peer.tunnelName !== peer.name ? 'tunnel_name' : 'name') };
  }, found);
  // Private keys lie in keys/<site>/wireguard/<instance>/peers/: by the instance's name, then the peer's.
  const keys = new Map<string, Files<Peer>>();
  for (const instance of site.wireguard) {
    const folded = instance.name.toLowerCase();
    let keyFiles = keys.get(folded);
    if (!keyFiles) keys.set(folded, (keyFiles = new Files(keyClaim, found)));
    // Indexed: a for-of steps an iterator per peer until V8 optimizes the loop (src/arrays.ts).
    for (let p = 0; p < instance.peers.length; p++) {
      const peer = instance.peers[p]!;
      keyFiles.add(peer.name, peer);
      // Client files: only an enabled peer's are written.
      if (!peer.enabled) continue;
      clients.add(clientFileStem(instance.name, peer.tunnelName, plain), peer);
      if (instance.lanEndpoint !== undefined) clients.add(clientFileStem(instance.name, peer.tunnelName, withLan), { lan: peer });
    }
  }
  return found;
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
      // By kind, scope, site and name, in maps: a key string joined for each of 300,000 names was most of the rule.
      // The site counts where the scope is named after a thing of it: two sites may each have a host pve, an instance wg0.
      type Thing = (typeof model.names)[number];
      const first = new Map<string, Map<string, Map<string | undefined, Map<string, Thing>>>>();
      // Names come in runs of one kind, scope and site (an instance's peers, a policy's rules): the map of
      // the run before is asked first, where three look-ups per name were most of the rule.
      let last: Thing | undefined;
      let byName = new Map<string, Thing>();
      // Indexed: a for-of steps an iterator per name until V8 optimizes the loop (src/arrays.ts).
      for (let t = 0; t < model.names.length; t++) {
        const thing = model.names[t]!;
        if (!last || thing.kind !== last.kind || thing.scope !== last.scope || thing.site !== last.site) {
          let byScope = first.get(thing.kind);
          if (!byScope) first.set(thing.kind, (byScope = new Map()));
          let bySite = byScope.get(thing.scope);
          if (!bySite) byScope.set(thing.scope, (bySite = new Map()));
          let names = bySite.get(thing.site);
          if (!names) bySite.set(thing.site, (names = new Map()));
          byName = names;
        }
        last = thing;
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
      reportSameFiles(siteCollisions(model), report);
      for (const site of model.sites) reportSameFiles(fileCollisions(site), report);
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
