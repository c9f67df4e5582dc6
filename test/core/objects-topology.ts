// Scenario A with a remote office, a parents' NAS peer, and rules from and
// to every kind of policy object (shared by the policy object tests).
import { edit, readExample } from '../helpers.js';

const A = ['sites', 0] as const;
const KEY = 'Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1A=';

/** Scenario A with a remote office, a parents' NAS peer, and rules from and to every kind of object. */
export function objectsTopology(): string {
  let yaml = readExample('homelab');
  yaml = edit(yaml, [...A, 'remote_networks'], [{ name: 'office', cidr: '172.16.0.0/16' }]);
  yaml = edit(yaml, [...A, 'wireguard', 0, 'peers', 3], { name: 'parents-nas', role: 'server', address: '10.0.1.51', public_key: KEY });
  // management reaches the internet only, and the admins come in over SSH from outside: the box runs without the anti-lockout rule.
  yaml = edit(yaml, [...A, 'firewall', 'anti_lockout'], { enabled: false });
  yaml = edit(yaml, [...A, 'policy', 'zones'], [
    { name: 'management', networks: ['management'] },
    { name: 'service', members: ['service'] },
    { name: 'admins', members: ['wg0/workstation'] },
    { name: 'family', members: ['wg0/mobile', 'parents-nas'] },
    { name: 'vpn', networks: ['wireguard'] },
  ]);
  yaml = edit(yaml, [...A, 'policy', 'rules'], [
    { name: 'admins-to-management', from: 'admins', to: 'management', action: 'pass' },
    { name: 'nas-backup', from: 'parents-nas', to: 'postgres', action: 'pass' },
    { name: 'family-dashboards', from: 'family', to: 'grafana', proto: 'tcp', ports: [3000, '8000-8010'], action: 'pass' },
    { name: 'office-to-traefik', from: 'office', to: '10.1.0.100', proto: 'tcp', ports: [80], action: 'pass' },
    { name: 'jump-host', from: '10.0.0.50', to: 'service', proto: 'tcp', ports: [22], action: 'pass' },
    { name: 'outside-admin', from: '203.0.113.10', to: 'self', proto: 'tcp', ports: [22], action: 'pass' },
    { name: 'ping-office', from: '10.0.0.0/8', to: 'office', proto: 'icmp', action: 'pass' },
    { name: 'management-out', from: 'management', to: 'internet', action: 'pass' },
    { name: 'service-internet-only', from: 'service', to: 'internet', action: 'pass' },
  ]);
  // The office's one static address is a deliberate exception, said so as a user would.
  yaml = yaml.replace(/^( *)- name: outside-admin$/m, '$1# gen-ignore opnsense/admin-exposed: the office\'s static address, SSH keys only\n$1- name: outside-admin');
  if (!yaml.includes('gen-ignore opnsense/admin-exposed')) throw new Error('objectsTopology: no outside-admin rule to annotate');
  return edit(yaml, [...A, 'policy', 'tests'], [
    { from: 'parents-nas', to: 'postgres', proto: 'tcp', port: 5432, expect: 'accept' },
    { from: 'parents-nas', to: 'postgres', proto: 'tcp', port: 22, expect: 'deny' },
    { from: 'parents-nas', to: 'management', proto: 'tcp', port: 8006, expect: 'deny' },
    { from: 'mac-workstation', to: 'management', proto: 'tcp', port: 8006, expect: 'accept' },
    { from: 'family', to: 'grafana', proto: 'tcp', port: 8005, expect: 'accept' },
    { from: 'family', to: 'management', proto: 'tcp', port: 22, expect: 'deny' },
    { from: 'office', to: 'traefik', proto: 'tcp', port: 80, expect: 'accept' },
    { from: '10.0.0.50', to: 'service', proto: 'tcp', port: 22, expect: 'accept' },
    { from: '203.0.113.10', to: 'wan', proto: 'tcp', port: 22, expect: 'accept' },
    { from: '198.51.100.7', to: 'wan', proto: 'tcp', port: 22, expect: 'deny' },
  ]);
}

