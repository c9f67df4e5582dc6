// The facts of a resolved model that a reviewer cares about, each keyed by
// what it is about, with the words for its appearance, disappearance and
// change. `gen diff` compares two models through these, not through the
// generated files.
import type { Guest, GuestNic, Model, PolicyRule, SecurityGroupRule } from '../model.js';
import { describeProgramChange, describeReleaseChange, releaseFacts } from '../targets/opnsense/releases.js';
import { type Fact, settings } from './fact.js';
import { hostAddressFact, hostLinkFacts } from './host-facts.js';
import { insideFacts } from './inside-facts.js';

export type { Fact } from './fact.js';

function ports(list: readonly string[]): string {
  return list.length ? list.join(', ') : 'all ports';
}

function wanTarget(rule: PolicyRule): string {
  if (rule.origin.startsWith('HAProxy')) return 'HAProxy';
  if (rule.origin.startsWith('WireGuard')) return 'WireGuard';
  return rule.origin;
}

function ruleText(rule: PolicyRule): string {
  const to = rule.to.kind === 'zone' ? rule.to.zone : rule.to.kind === 'object' ? rule.to.name : rule.to.kind === 'wan-address' ? `${rule.to.interface} address` : rule.to.kind;
  const from = rule.from.kind === 'zone' ? rule.from.zone : rule.from.kind === 'object' ? rule.from.name : 'internet';
  const what = rule.proto === 'any' ? 'any protocol' : `${rule.proto.toUpperCase()} ${ports(rule.ports)}`;
  return `${rule.action === 'pass' ? 'passes' : 'blocks'} ${from} → ${to}, ${what}`;
}

function sgSource(rule: SecurityGroupRule): string {
  return rule.group ?? rule.cidr ?? '?';
}

function sgPorts(rule: SecurityGroupRule): string {
  const list = rule.ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`));
  return `${rule.proto === 'all' ? 'all traffic' : `${rule.proto.toUpperCase()} ${list.length ? list.join(', ') : 'all ports'}`}`;
}

function simple(key: string, state: string, name: string, describe: (s: string) => string): Fact {
  return {
    key,
    state,
    added: `${name} added: ${describe(state)}`,
    removed: `${name} removed (was ${describe(state)})`,
    changed: (before) => `${name} changed: ${describe(before.state)} → ${describe(state)}`,
  };
}

/**
 * An S3 bucket, managed or retired. Its disappearance is what a reviewer must not miss: prevent_destroy
 * goes with the bucket's blocks, and Terraform strips the bucket and then fails to delete it
 * (no force_destroy, and S3 deletes no bucket that holds objects). retired: true is the way out.
 */
function bucketFact(name: string, retired: boolean): Fact {
  const bucket = `bucket ${name}`;
  return {
    key: bucket,
    state: retired ? 'retired' : 'managed',
    added: retired ? `${bucket} added, retired: Terraform does not manage it` : `${bucket} added: versioned, encrypted, private`,
    removed: retired
      ? `${bucket} removed (was retired): its removed blocks go too, harmless once a terraform apply has forgotten it; before that apply, Terraform would destroy what it still holds of it`
      : `${bucket} removed: terraform apply would strip it (versioning suspended; policy, public access block, ownership controls, encryption and lifecycle rule deleted) and then try to delete it, which S3 refuses while it holds objects. To stop managing it and keep it as it is, keep it in aws.buckets with retired: true`,
    changed: () =>
      retired
        ? `${bucket} retired: the next terraform apply forgets it (removed blocks, destroy = false) and S3 keeps it as it is; run apply, not destroy`
        : `${bucket} managed again: Terraform forgot it when it was retired, so import it (terraform import) before the next apply, which would otherwise try to make it anew`,
  };
}

/** A VM or container on a Proxmox host: guests.sh creates or changes it, so a reviewer reads it as such. */
function guestFact(site: string, guest: Guest): Fact {
  const kind = guest.kind === 'vm' ? 'VM' : 'CT';
  const nic = (n: GuestNic) => `net${n.index} ${n.bridge ?? 'no bridge'}${n.tag === undefined ? '' : ` tag ${n.tag}`}${n.address ? ` ${n.address}/${n.prefix}` : ''}`;
  return settings(`guest ${site}/${guest.kind} ${guest.id}`, `${kind} ${guest.id} (${guest.name})`, [
    ['on host', guest.host ?? 'none'],
    ['cores', guest.cores === undefined ? 'unset' : String(guest.cores)],
    ['memory', guest.memoryMb === undefined ? 'unset' : `${guest.memoryMb} MB`],
    ['disk', guest.diskGb === undefined ? 'unset' : `${guest.diskGb} GB`],
    ['onboot', guest.onboot === undefined ? 'unset' : guest.onboot ? 'yes' : 'no'],
    ['created by guests.sh', guest.create ? 'yes' : 'unset'],
    ['NICs', guest.nics.map(nic).join('; ') || 'none'],
    ['DNS', guest.dns?.servers.join(', ') || 'unset'],
  ]);
}

export function factsOf(model: Model): Fact[] {
  const facts: Fact[] = [];
  for (const network of model.networks) {
    facts.push(simple(`network ${network.id}`, network.cidr, `network ${network.name}${network.site ? ` (site ${network.site})` : ''}`, (s) => s));
  }
  for (const site of model.sites) {
    for (const wg of site.wireguard) {
      // What every client file and the instance carry: a change of one rewrites them all.
      facts.push(
        settings(`wireguard ${site.name}/${wg.name}`, `WireGuard instance ${wg.name}`, [
          ['address', `${wg.address}/${wg.prefix}`],
          ['listen port', wg.listenPort === undefined ? 'none' : String(wg.listenPort)],
          ['endpoint', wg.endpoint === undefined ? 'none' : `${wg.endpoint}:${wg.endpointPort ?? wg.listenPort ?? ''}`],
          ['LAN endpoint', wg.lanEndpoint ?? 'none'],
          ['MTU', String(wg.mtu)],
          ['tunnel', wg.tunnel],
          ['DNS', wg.dns.join(', ') || 'none'],
          ['public key', wg.publicKey ?? 'none'],
          // wg/key-age: the peers' keys fall due by this; a shorter period makes more of them due at once.
          ['key rotation', wg.keyRotationDays === undefined ? 'unset' : `every ${wg.keyRotationDays} days`],
          // The firewall's verify script notes the enabled peers without a handshake for this long: the runbook's age for an unused peer.
          ['idle-peer note', `after ${wg.idlePeerDays} days`],
        ]),
      );
      for (const peer of wg.peers) {
        const state = `${peer.address}|${peer.role}|${peer.enabled}|${peer.publicKey ?? ''}|${peer.allowedIps.join(', ')}|${peer.keepalive}|${peer.keyDate ?? ''}`;
        facts.push({
          key: `peer ${site.name}/${wg.name}/${peer.name}`,
          state,
          added: `peer ${peer.name} added at ${peer.address} (${peer.role})${peer.enabled ? '' : ', disabled'}`,
          removed: `peer ${peer.name} removed (was ${peer.address}, ${peer.role})`,
          changed: (before) => {
            const [address, role, enabled, key, allowed, keepalive, keyDate] = before.state.split('|');
            const parts: string[] = [];
            if (address !== peer.address) parts.push(`moved from ${address} to ${peer.address}`);
            if (role !== peer.role) parts.push(`role ${role} → ${peer.role}`);
            if (enabled !== String(peer.enabled)) parts.push(peer.enabled ? 'enabled' : 'disabled');
            if (key !== (peer.publicKey ?? '')) parts.push('new public key');
            if (allowed !== peer.allowedIps.join(', ')) parts.push(`AllowedIPs ${allowed || 'none'} → ${peer.allowedIps.join(', ') || 'none'}`);
            if (keepalive !== String(peer.keepalive)) parts.push(`keepalive ${keepalive === '0' ? 'off' : `${keepalive} s`} → ${peer.keepalive === 0 ? 'off' : `${peer.keepalive} s`}`);
            // The day wg/key-age counts the key's age from: a new day restarts it, none leaves the age unknown.
            if (keyDate !== (peer.keyDate ?? '')) parts.push(`key_date ${keyDate || 'none'} → ${peer.keyDate ?? 'none'}`);
            return `peer ${peer.name} ${parts.join(', ')}`;
          },
        });
      }
    }
    for (const rule of site.policy.rules) {
      if (rule.from.kind === 'wan') {
        // One fact per port: moving a frontend from 443 to 8444 changes one port, not the whole list.
        // A port forward's or frontend's from: sources: narrowing or widening them is a change of who reaches it.
        const open = rule.sources.length > 0 ? `only to ${rule.sources.map((o) => o.name).join(', ')}` : undefined;
        for (const port of rule.ports.length ? rule.ports : ['']) {
          const what = `${rule.proto.toUpperCase()} ${ports(port ? [port] : [])} to ${wanTarget(rule)}`;
          facts.push({
            key: `wan ${site.name} ${rule.proto} ${port} ${wanTarget(rule)}`,
            state: open ? `${what}, open ${open}` : what,
            added: `WAN now passes ${what}${open ? `, open ${open}` : ''}`,
            removed: `WAN no longer passes ${what}`,
            changed: (before) =>
              before.state.split(', open ')[0] === what
                ? `${rule.origin}${rule.ports.length > 1 ? ` port ${port}` : ''} now open ${open ?? 'to any source'}${before.state.includes(', open ') ? ` (was ${before.state.split(', open ')[1]})` : ' (was any source)'}`
                : `WAN passes ${what}`,
          });
        }
      } else {
        facts.push(simple(`rule ${site.name}/${rule.name}`, ruleText(rule), `policy rule ${rule.name}`, (s) => s));
      }
    }
    const upstream = site.upstream;
    for (const forward of upstream?.forwards ?? []) {
      const what = `${forward.proto.toUpperCase()} ${forward.externalPort}`;
      const to = `${upstream!.target ?? "the firewall's WAN address"}${forward.port !== forward.externalPort ? ` port ${forward.port}` : ''} (${forward.listener})`;
      facts.push({
        key: `upstream ${site.name} ${forward.proto} ${forward.externalPort}`,
        state: to,
        added: `the upstream router must now forward ${what} to ${to}`,
        removed: `the upstream router no longer needs to forward ${what}`,
        changed: (before) => `the upstream router must now forward ${what} to ${to} (was to ${before.state})`,
      });
    }
    for (const fact of insideFacts(site)) facts.push(fact);
    for (const host of site.hosts) {
      facts.push(hostAddressFact(site.name, host));
      for (const fact of hostLinkFacts(site.name, host)) facts.push(fact);
      for (const route of host.routes) {
        facts.push(simple(`route ${site.name}/${host.name}/${route.destination}`, `${route.destination} via ${route.via} on ${route.bridge}`, `host ${host.name} route`, (s) => s));
      }
    }
    for (const guest of site.guests) facts.push(guestFact(site.name, guest));
    for (const service of site.services) {
      facts.push(simple(`service ${site.name}/${service.name}`, `${service.address}${service.port ? `:${service.port}` : ''}`, `service ${service.name}`, (s) => s));
    }
    const firewall = site.firewall;
    if (firewall) {
      facts.push({
        key: `release ${site.name}`,
        state: firewall.release,
        added: `firewall of site ${site.name} targets OPNsense ${firewall.release}`,
        removed: `firewall of site ${site.name} removed (was OPNsense ${firewall.release})`,
        changed: (before) => {
          const a = releaseFacts(before.state);
          const b = releaseFacts(firewall.release);
          const what = a && b ? describeReleaseChange(a, b) : [];
          const programs = a && b ? describeProgramChange(a, b, site.haproxy.frontends.length > 0) : [];
          const parts = [...(what.length ? [`gen now writes ${what.join('; ')}`] : []), ...(programs.length ? [`the box runs ${programs.join(', ')}`] : [])];
          return `OPNsense release ${before.state} → ${firewall.release}${parts.length ? `: ${parts.join('; ')}` : ''}`;
        },
      });
      for (const rule of firewall.nat.outboundRules) {
        const tunnel = site.wireguard.find((w) => w.name === rule.instance)?.tunnel;
        const from = rule.route ? `network behind ${rule.route.via}` : rule.remote ? `remote network ${rule.remote}` : `WireGuard ${rule.instance}, ${tunnel === 'split' ? 'split' : 'full'} tunnel`;
        const what = `${rule.source} (${from}) to the address of ${rule.interface}, outbound mode ${firewall.nat.outbound}`;
        facts.push({
          key: `outbound ${site.name}/${rule.route ? `route ${rule.route.network}` : rule.remote ? `remote ${rule.remote}` : rule.instance}`,
          state: what,
          added: `outbound NAT now translates ${what}`,
          removed: `outbound NAT no longer translates ${what}`,
          changed: (before) => `outbound NAT: ${before.state} → ${what}`,
        });
      }
    }
    for (const iface of site.firewall?.interfaces ?? []) {
      const state = `${iface.key} ${iface.device}${iface.vlan ? ` VLAN ${iface.vlan.tag}` : ''} ${iface.address ? `${iface.address}/${iface.prefix}` : iface.addressing}`;
      facts.push(simple(`interface ${site.name}/${iface.name}`, state, `firewall interface ${iface.name}`, (s) => s));
    }
  }
  const vpc = model.aws?.vpc;
  for (const group of vpc?.securityGroups ?? []) {
    for (const rule of group.ingress) {
      // One fact per port range: adding a port to a rule reads as opening that port.
      const ranges = rule.ports.length ? rule.ports : [undefined];
      for (const range of ranges) {
        const single = Object.assign({}, rule, { ports: range ? [range] : [] });
        const what = `${sgPorts(single).replace(/^TCP /, '')} from ${sgSource(rule)}`;
        facts.push({
          key: `sg ${group.name} in ${rule.proto} ${sgPorts(single)} ${sgSource(rule)}`,
          state: what,
          added: `security group ${group.name} opens ${what}`,
          removed: `security group ${group.name} closes ${what}`,
          changed: () => `security group ${group.name} opens ${what}`,
        });
      }
    }
  }
  for (const bucket of model.aws?.buckets ?? []) facts.push(bucketFact(bucket.name, bucket.retired));
  for (const user of model.aws?.users ?? []) {
    const intents = user.intents.map((i) => `${i.intent} on ${i.bucket}${i.prefix ? `/${i.prefix}` : ''}`).join('; ');
    facts.push(simple(`iam ${user.name}`, intents, `IAM user ${user.name}`, (s) => s));
  }
  return facts;
}

/** The words of a change between two models, in a stable order. */
export function describeChanges(before: Model | undefined, after: Model): string[] {
  const old = new Map((before ? factsOf(before) : []).map((f) => [f.key, f]));
  const now = new Map(factsOf(after).map((f) => [f.key, f]));
  const lines: string[] = [];
  for (const [key, fact] of now) {
    const was = old.get(key);
    if (!was) lines.push(fact.added);
    else if (was.state !== fact.state) lines.push(fact.changed(was));
  }
  for (const [key, fact] of old) if (!now.has(key)) lines.push(fact.removed);
  return lines;
}
