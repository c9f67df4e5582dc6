// The box's own Unbound host overrides that gen's take over: an override of
// the same host name, domain and record type (merge's natural key), whose
// answer gen replaces. Unbound would otherwise answer both records, and
// clients get either address; said, because the box's answer goes.
import { type XmlElement, attr, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';

function hostsOf(opnsense: XmlElement | undefined): XmlElement[] {
  return childrenNamed(child(child(opnsense, 'unboundplus'), 'hosts'), 'host');
}

/** A warning per box override (adopted: gen's item takes the box's UUID) whose answer gen's differs from. */
export function hostOverrideTakeovers(root: XmlElement, sections: readonly XmlElement[], adopted: ReadonlyMap<string, string>): string[] {
  const box = new Map(hostsOf(child(root, 'OPNsense')).map((h) => [attr(h, 'uuid'), h]));
  const answer = (host: XmlElement) => `${fieldText(host, 'rr')} ${fieldText(host, 'server')}`;
  const out: string[] = [];
  for (const section of sections) {
    if (section.name !== 'OPNsense') continue;
    for (const ours of hostsOf(section)) {
      const theirs = box.get(adopted.get(attr(ours, 'uuid') ?? '') ?? '');
      if (!theirs || answer(theirs) === answer(ours)) continue;
      const name = `${fieldText(ours, 'hostname')}.${fieldText(ours, 'domain')}`;
      out.push(
        `the box's own Unbound host override ${name} (${answer(theirs)}) is one gen writes: merge replaces its answer with ${answer(ours)} (the address HAProxy listens on); ` +
          'to keep the box\'s answer, set split_dns: false on the frontend',
      );
    }
  }
  return out;
}
