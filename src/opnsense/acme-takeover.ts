// An ACME certificate (or account) of the box's own that gen's takes over
// (same name: merge keeps its UUID) goes on with what the box's issued (or
// registered). The fields the ACME client writes (lastUpdate and
// statusCode; an account's key, statusCode and statusLastUpdate) are the
// model's defaults in gen's item, so the box's survive; they describe the
// files acme.sh keeps under the item's `id`, and a certificate's the <cert>
// its certRefId names (os-acme-client, plugins 26.7.2: LeCertificate's
// constructor derives its file paths from id, import() updates the <cert>
// of certRefId in place; Base::run() passes acme.sh the account's
// <id>_<ca>/account.conf, and LeAccount::isRegistered() reads only those
// fields). With gen's id and refid beside them, needsRenewal() found no
// certificate file and waited for lastUpdate plus renewInterval, then ran
// acme.sh --renew under an id with no issued domain, which fails; all the
// while HAProxy served the self-signed stand-in made for gen's refid. An
// account counted as registered while acme.sh had no account.conf for it.
import { type XmlElement, attr, child, childrenNamed, isElement } from '../render/opnsense/xml.js';
import { at, fieldList, fieldText } from './fields.js';

function setText(item: XmlElement, field: string, text: string): void {
  const node = child(item, field);
  if (!node) return;
  node.children = text === '' ? [] : [{ text }];
  // No longer the model's default: the merge writes this value, not the box's.
  delete node.fill;
  delete node.raw;
  delete item.raw;
}

/** Rewrites every field's text (or one entry of a comma list) that is a renamed refid. */
function renameRefids(node: XmlElement, renamed: ReadonlyMap<string, string>): void {
  for (const [i, c] of node.children.entries()) {
    if (isElement(c)) renameRefids(c, renamed);
    else if ('text' in c && c.text.split(',').some((part) => renamed.has(part.trim()))) {
      node.children[i] = { text: c.text.split(',').map((part) => renamed.get(part.trim()) ?? part).join(',') };
      delete node.raw;
    }
  }
}

/**
 * A certificate's names as acme.sh compares them (issue() in acme.sh 3.1:
 * the main domain and Le_Alt, sorted), the order of altNames aside, and
 * without letter case: DNS names have none, and the model lowercases
 * altNames on every save (AcmeClient.xml: ChangeCase lower), so a box's
 * names saved since an earlier merge are no other names.
 */
function domains(item: XmlElement): string[] {
  return [fieldText(item, 'name'), ...fieldList(item, 'altNames')].map((name) => name.toLowerCase()).filter((name) => name !== '').sort();
}

/**
 * Gives each of gen's ACME items that took over one of the box's (its UUID
 * is in `adopted`, the base UUIDs gen's items now carry) the box's `id`,
 * and a certificate the box's certRefId when the base holds that <cert>:
 * gen's references to its own refid (HAProxy's certificate fields, the
 * placeholder <cert>) follow, and the issued certificate stays in use. A
 * changed key type or other names (altNames) empty lastUpdate, so that the
 * ACME client issues (acme.sh --issue) instead of renewing: acme.sh keeps
 * an EC certificate apart from an RSA one of the same name and renews only
 * what it issued, for the names it issued it for (renew() reads them back
 * from the certificate's own .conf, Le_Alt, whatever the client passes).
 * Changes `sections` (copies of gen's) in place; returns a warning for each
 * issued certificate that gains names, which it lacks until then.
 */
export function keepTakenOverAcmeItems(root: XmlElement, sections: readonly XmlElement[], adopted: ReadonlySet<string>): string[] {
  const warnings: string[] = [];
  const acme = child(child(root, 'OPNsense'), 'AcmeClient');
  const issued = new Set(childrenNamed(root, 'cert').map((c) => fieldText(c, 'refid')));
  const renamed = new Map<string, string>();
  for (const section of sections.filter((s) => s.name === 'OPNsense')) {
    for (const [list, name] of [['accounts', 'account'], ['certificates', 'certificate']] as const) {
      const boxItems = new Map(childrenNamed(child(acme, list), name).map((c) => [attr(c, 'uuid'), c]));
      for (const item of childrenNamed(at(section, ['AcmeClient', list]), name)) {
        const uuid = attr(item, 'uuid');
        const box = uuid !== undefined && adopted.has(uuid) ? boxItems.get(uuid) : undefined;
        if (!box) continue;
        const id = fieldText(box, 'id');
        if (id !== '') setText(item, 'id', id);
        if (name === 'account') continue;
        const [ours, theirs] = [fieldText(item, 'certRefId'), fieldText(box, 'certRefId')];
        if (theirs !== '' && theirs !== ours && issued.has(theirs)) renamed.set(ours, theirs);
        const key = fieldText(box, 'keyLength');
        const [had, has] = [domains(box), domains(item)];
        if ((key !== '' && key !== fieldText(item, 'keyLength')) || had.join(',') !== has.join(',')) setText(item, 'lastUpdate', '');
        const added = has.filter((n) => !had.includes(n));
        // The client issues only when the certificate is due (needsRenewal(): its start of validity plus renewInterval);
        // without the box's <cert>, HAProxy serves the stand-in, which has every name, until the client issues.
        if (added.length > 0 && fieldText(box, 'lastUpdate') !== '' && issued.has(theirs)) {
          warnings.push(
            `the box's own ACME certificate ${fieldText(box, 'name')} (names: ${had.join(', ')}) has the name of one of gen's, which adds ${added.join(', ')}: merge takes it over, ` +
              `and the ACME client issues it for the new names only when it is due (${fieldText(item, 'renewInterval')} days after its last issue): until then HAProxy serves it without them, ` +
              'and clients of those names get a certificate error; issue it on the box once the merged config is restored (Services > ACME Client > Certificates, Issue/Renew)',
          );
        }
      }
    }
  }
  if (renamed.size > 0) for (const section of sections) renameRefids(section, renamed);
  return warnings;
}
