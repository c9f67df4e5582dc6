// The box's own Unbound host overrides that gen's take over: an override of
// the same host name, domain and record type (merge's natural key), whose
// answer gen replaces. Unbound would otherwise answer both records, and
// clients get either address; said, because the box's answer goes.
import type { XmlElement } from '../render/opnsense/xml.js';
import { takenOver } from './identity.js';
import { boxUnbound, genHostItems, hostAnswer, hostItems, hostName } from './unbound-items.js';

/** A warning per box override (adopted: gen's item takes the box's UUID) whose answer gen's differs from. */
export function hostOverrideTakeovers(root: XmlElement, sections: readonly XmlElement[], adopted: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const { ours, theirs } of takenOver(hostItems(boxUnbound(root)), genHostItems(sections), adopted)) {
    if (hostAnswer(theirs) === hostAnswer(ours)) continue;
    out.push(
      `the box's own Unbound host override ${hostName(ours)} (${hostAnswer(theirs)}) is one gen writes: merge replaces its answer with ${hostAnswer(ours)} (the address HAProxy listens on); ` +
        'to keep the box\'s answer, set split_dns: false on the frontend',
    );
  }
  return out;
}
