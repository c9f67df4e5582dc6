// The site-to-site test topology: scenario A's site joined to scenario C's VPC,
// and the same with a zone of VPC subnets in the site's policy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parse, parseDocument } from 'yaml';
import { edit, readExample, root } from '../helpers.js';

export const siteToSite = (): string => readFileSync(join(root, 'test/aws/fixtures/site-to-site.yaml'), 'utf8');

const A = ['sites', 0] as const;

/** Scenario A's bucket, retired in retiring(). */
export const RETIRED = 'iksan-cloud-backup-20251129';

/** Scenario A after the move to a new bucket: the datastore and its writer there, the old bucket retired. */
export function retiring(): string {
  const moved = readExample('homelab').split(RETIRED).join('iksan-cloud-backup-20261130');
  const buckets = (parse(moved) as { aws: { buckets: unknown[] } }).aws.buckets;
  return edit(moved, ['aws', 'buckets'], [...buckets, { name: RETIRED, noncurrent_days: 30, retired: true }]);
}

/** Site-to-site with admins (a WireGuard role) and grafana reaching a zone of the VPC's private subnets. */
export function cloudTopology(): string {
  let yaml = siteToSite();
  yaml = edit(yaml, [...A, 'policy', 'zones', 3], { name: 'admins', members: ['wg0/workstation'] });
  yaml = edit(yaml, [...A, 'policy', 'zones', 4], { name: 'cloud-db', members: ['private-2a', 'private-2c'] });
  yaml = edit(yaml, [...A, 'policy', 'rules'], [
    { name: 'admins-to-cloud-db', from: 'admins', to: 'cloud-db', proto: 'tcp', ports: [5432], action: 'pass' },
    { name: 'grafana-to-cloud-db', from: 'grafana', to: 'cloud-db', proto: 'tcp', ports: [5432, '9100-9101'], action: 'pass' },
    { name: 'vpn-to-service', from: 'vpn', to: 'service', action: 'pass' },
    { name: 'management-out', from: 'management', to: 'any', action: 'pass' },
    // The containers' DNS servers (guest.dns: 1.1.1.1, 9.9.9.9).
    { name: 'service-dns', from: 'service', to: 'internet', proto: 'tcp/udp', ports: [53], action: 'pass' },
  ]);
  yaml = edit(yaml, [...A, 'policy', 'tests'], [
    { from: 'mac-workstation', to: 'cloud-db', proto: 'tcp', port: 5432, expect: 'accept' },
    { from: 'iphone-john', to: 'cloud-db', proto: 'tcp', port: 5432, expect: 'deny' },
    { from: 'grafana', to: 'cloud-db', proto: 'tcp', port: 9101, expect: 'accept' },
    { from: 'mac-workstation', to: 'cloud-db', proto: 'tcp', port: 22, expect: 'deny' },
  ]);
  return edit(yaml, ['aws', 'vpc', 'tests'], [
    { from: 'laptop-john', to: 'gen-home-cloud-db', proto: 'tcp', port: 5432, expect: 'accept' },
    { from: 'wg0/workstation', to: 'gen-home-cloud-db', proto: 'tcp', port: 5432, expect: 'accept' },
    { from: 'wg0/mobile', to: 'gen-home-cloud-db', proto: 'tcp', port: 5432, expect: 'deny' },
    { from: 'grafana', to: 'gen-home-cloud-db', proto: 'tcp', port: 9100, expect: 'accept' },
    { from: 'bastion', to: 'api', proto: 'tcp', port: 22, expect: 'accept' },
  ]);
}

/** The topology moved to another region: aws.region, and every subnet's availability zone with it (ap-northeast-2a → <region>a). */
export function inRegion(yaml: string, region: string): string {
  const doc = parseDocument(yaml);
  const from = String(doc.getIn(['aws', 'region']));
  doc.setIn(['aws', 'region'], region);
  const subnets = doc.getIn(['aws', 'vpc', 'subnets']);
  if (isSeq(subnets)) {
    for (const subnet of subnets.items) {
      if (isMap(subnet)) subnet.set('az', String(subnet.get('az')).replace(from, region));
    }
  }
  return doc.toString();
}
