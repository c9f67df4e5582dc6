// The Proxmox host script's guest checks against what the guest runs with.
// `qm config` and `pct config` print the pending changes as if applied
// (pve-guest-common AbstractConfig.pm load_current_config; the API says
// "with pending configuration changes applied"), and Proxmox keeps pending
// what it cannot hot-plug into a running guest: a container's nameserver
// (pve-container LXC/Config.pm vmconfig_hotplug_pending, "skip
// non-hotpluggable"), a VM's NIC without network hotplug (qemu-server
// vmconfig_hotplug_pending). fake-pve.pl answers config, config --current and
// pending as those do. guests.sh converges the node first; the checks then
// run on the same node.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeNode, type NodeState } from '../proxmox/fake-node.js';
import { lineOfText, readExample, render } from '../helpers.js';
import { removeTempDirsAfterAll } from '../temp-dirs.js';

removeTempDirsAfterAll();

const homelab = readExample('homelab');
const files = await render(homelab);
const guests = files.get('home/proxmox/pve/guests.sh')!;
const verify = files.get('home/verify/proxmox-pve.sh')!;

const nodes: FakeNode[] = [];
afterEach(() => nodes.splice(0).forEach((n) => n.remove()));

/** A node on which guests.sh has set every guest as the topology says, all stopped. */
function converged(): FakeNode {
  const lxc = Object.fromEntries(['200', '210', '211'].map((id) => [id, { hostname: `ct${id}`, memory: '512', rootfs: `local-lvm:vm-${id}-disk-0,size=8G`, net0: `name=eth0,bridge=vmbr2,hwaddr=BC:24:11:00:02:${id.slice(1)},ip=dhcp,type=veth` }]));
  const vm = (id: number, name: string) => ({ cores: '1', memory: '2048', name, scsi0: `local-lvm:vm-${id}-disk-0,size=64G` });
  const node = new FakeNode({ node: 'pve', qemu: { 102: vm(102, 'opnsense'), 103: vm(103, 'pbs') }, lxc });
  nodes.push(node);
  expect(node.run(guests).stderr).toBe('');
  return node;
}

function update(node: FakeNode, change: (state: NodeState) => void): void {
  const state = node.state;
  change(state);
  writeFileSync(join(node.dir, 'state.json'), JSON.stringify(state));
}

/** The report line of the check that starts with `what` (the other checks read this machine, not a Proxmox host). */
function line(out: string, what: string): string {
  const found = out.split('\n').filter((l) => l.slice(2).startsWith(what));
  expect(found, out).toHaveLength(1);
  return found[0]!;
}

describe("the Proxmox host script reads the configuration a guest runs with, not Proxmox's pending changes", () => {
  const dnsLine = `topology.yaml:${lineOfText(homelab, '{ name: traefik,')}`;

  it('passes on the converged node', () => {
    const out = converged().run(verify).stdout;
    expect(line(out, 'container 200 (traefik) resolves through 1.1.1.1, 9.9.9.9')).toMatch(/^✓ /);
    expect(line(out, 'firewall VM 102: vtnet1 (management) is on vmbr1')).toMatch(/^✓ /);
    expect(line(out, 'container 200 (traefik) has a NIC on vmbr2 with 10.1.0.100')).toMatch(/^✓ /);
  });

  it('fails a running container whose nameserver guests.sh set, until it restarts: its resolv.conf still has the old servers', () => {
    const node = converged();
    // Changed by hand while it runs; guests.sh sets it back, and Proxmox keeps that pending.
    update(node, (s) => {
      s.running = [102, 200];
      s.lxc['200']!.nameserver = '192.168.0.1';
    });
    expect(node.run(guests).stdout).toContain('pct 200: nameserver: 192.168.0.1 -> 1.1.1.1 9.9.9.9');
    expect(node.state.pending?.lxc?.['200']).toEqual({ nameserver: '1.1.1.1 9.9.9.9' });
    expect(line(node.run(verify).stdout, 'container 200 (traefik) resolves through')).toBe(
      `✗ container 200 (traefik) resolves through 1.1.1.1, 9.9.9.9 (${dnsLine}): pct config 200 --current: nameserver 192.168.0.1; pending until 200 restarts: nameserver: 1.1.1.1 9.9.9.9`,
    );
    // The restart applies it (vmconfig_apply_pending at start).
    update(node, (s) => {
      s.lxc['200']!.nameserver = s.pending!.lxc!['200']!.nameserver!;
      delete s.pending!.lxc!['200'];
    });
    expect(line(node.run(verify).stdout, 'container 200 (traefik) resolves through')).toMatch(/^✓ /);
  });

  it("fails the firewall VM's NIC whose move to its bridge is pending", () => {
    const node = converged();
    update(node, (s) => {
      s.running = [102];
      const now = s.qemu['102']!.net1!;
      s.pending = { qemu: { 102: { net1: now } } };
      s.qemu['102']!.net1 = now.replace('bridge=vmbr1', 'bridge=vmbr0');
    });
    expect(line(node.run(verify).stdout, 'firewall VM 102: vtnet1 (management) is on vmbr1')).toMatch(
      /^✗ .*: qm config 102 --current: net1 virtio=[0-9A-F:]+,bridge=vmbr0,firewall=0; pending until 102 restarts: net1: virtio=[0-9A-F:]+,bridge=vmbr1,firewall=0$/,
    );
  });
});
