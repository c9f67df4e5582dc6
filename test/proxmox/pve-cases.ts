// Option strings with the verdict Proxmox VE 9 gives them, in optcheck's
// line form. Derived from the upstream format definitions (pve-qm-net,
// pve-lxc-network, lxc-ip-with-ll-iface-list, mac-addr, pve-ipv4-config, pve-priv-list, pve-userid,
// pve-tokenid, pve-roleid, check_path): each boundary once on each side.
// guest-formats.test.ts holds gen's validators to these verdicts;
// upstream-schema.test.ts holds Proxmox's own Perl to the same ones.
import { isAclPath, isReservedRoleName, verifyPrivilegeList, verifyRoleId, verifyTokenId, verifyUserId } from '../../src/targets/proxmox/access.js';
import { MAX_NETS, MAX_SCSI_DISKS, newDisk, parseLxcNet, parseQmNet, verifyNameserverList } from '../../src/targets/proxmox/guest-formats.js';

const MAC = '02:00:5E:10:00:01';

export const CASES: readonly { line: string; ok: boolean }[] = [
  // pve-qm-net
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0`, ok: true },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,firewall=0`, ok: true },
  { line: `qm 102 net1 virtio=${MAC},bridge=vmbr1,firewall=0,tag=10`, ok: true },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,tag=1`, ok: true },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,tag=4094`, ok: true },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,tag=0`, ok: false },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,tag=4095`, ok: false },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,tag=ten`, ok: false },
  { line: `qm 102 net0 virtio=03:00:5E:10:00:01,bridge=vmbr0`, ok: false },
  { line: `qm 102 net0 virtio=02:00:5E:10:00,bridge=vmbr0`, ok: false },
  { line: `qm 102 net0 virtio=02:00:5e:10:00:0g,bridge=vmbr0`, ok: false },
  { line: 'qm 102 net0 virtio,bridge=vmbr0', ok: true },
  { line: 'qm 102 net0 bridge=vmbr0', ok: false },
  { line: `qm 102 net0 rtl8169=${MAC},bridge=vmbr0`, ok: false },
  { line: `qm 102 net0 e1000=${MAC},bridge=vmbr0`, ok: true },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr 1`, ok: false },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr$(reboot)`, ok: false },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,bridge=vmbr1`, ok: false },
  { line: `qm 102 net0 virtio=${MAC},e1000=${MAC},bridge=vmbr0`, ok: false },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,colour=blue`, ok: false },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,firewall=yes`, ok: true },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,firewall=2`, ok: false },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,trunks=10;20-30`, ok: true },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,trunks=10,20`, ok: false },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,mtu=1`, ok: true },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,mtu=65521`, ok: false },
  { line: `qm 102 net0 virtio=${MAC},bridge=vmbr0,queues=65`, ok: false },
  { line: `qm 102 net31 virtio=${MAC},bridge=vmbr0`, ok: true },
  { line: `qm 102 net32 virtio=${MAC},bridge=vmbr0`, ok: false },
  // A new disk (STORAGE:GiB) on scsi0 … scsi30 (Drive.pm $MAX_SCSI_DISKS).
  { line: 'qm 103 scsi1 local-lvm:100', ok: true },
  { line: 'qm 103 scsi30 local-lvm:100', ok: true },
  { line: 'qm 103 scsi31 local-lvm:100', ok: false },
  // pve-lxc-network
  { line: `pct 200 net0 name=eth0,bridge=vmbr2,gw=10.1.0.1,hwaddr=${MAC},ip=10.1.0.100/24,type=veth`, ok: true },
  { line: `pct 200 net0 name=eth0,bridge=vmbr2,gw=192.168.30.1,hwaddr=${MAC},ip=192.168.30.5/24,tag=30,type=veth`, ok: true },
  { line: `pct 200 net0 name=eth0,bridge=vmbr2,hwaddr=${MAC},ip=10.1.0.100/24,tag=0`, ok: false },
  { line: `pct 200 net0 bridge=vmbr2,ip=10.1.0.100/24`, ok: false },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,ip=10.1.0.100', ok: false },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,ip=10.1.0.100/7', ok: false },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,ip=10.1.0.100/8', ok: true },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,ip=10.1.0.100/32', ok: true },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,ip=10.1.0.100/33', ok: false },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,ip=010.1.0.100/24', ok: false },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,ip=dhcp', ok: true },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,ip=10.1.0.100/24,gw=10.1.0.256', ok: false },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,trunks=10;20', ok: true },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,trunks=10;20-30', ok: false },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,type=vlan', ok: false },
  { line: 'pct 200 net0 name=eth0,bridge=vmbr2,hwaddr=01:00:5E:10:00:01', ok: false },
  { line: 'pct 200 net0 name=eth 0,bridge=vmbr2', ok: false },
  { line: 'pct 200 net31 name=eth0,bridge=vmbr2', ok: true },
  { line: 'pct 200 net32 name=eth0,bridge=vmbr2', ok: false },
  // nameserver (lxc-ip-with-ll-iface-list: PVE::Tools::split_list, then an IP address each)
  { line: 'pct 200 nameserver 1.1.1.1', ok: true },
  { line: 'pct 200 nameserver 1.1.1.1 9.9.9.9', ok: true },
  { line: 'pct 200 nameserver 1.1.1.1 9.9.9.9 10.1.0.1', ok: true },
  { line: 'pct 200 nameserver 1.1.1.1,9.9.9.9', ok: true },
  { line: 'pct 200 nameserver 1.1.1.1;9.9.9.9', ok: true },
  { line: 'pct 200 nameserver 255.255.255.255', ok: true },
  { line: 'pct 200 nameserver 1.1.1.256', ok: false },
  { line: 'pct 200 nameserver 010.0.0.1', ok: false },
  { line: 'pct 200 nameserver 10.0.0.1/24', ok: false },
  { line: 'pct 200 nameserver 1.1.1.1 dns.example.com', ok: false },
  { line: 'pct 200 nameserver 1.1.1.1:53', ok: false },
  // pve-priv-list
  { line: 'pveum-priv VM.Audit', ok: true },
  { line: 'pveum-priv VM.Audit,VM.PowerMgmt,VM.GuestAgent.Audit', ok: true },
  { line: 'pveum-priv VM.Monitor', ok: false },
  { line: 'pveum-priv Sys.Audit,Sys.Everything', ok: false },
  // pve-userid, pve-tokenid
  { line: 'pveum-user whmcs-api@pve', ok: true },
  { line: 'pveum-user a@pve', ok: true },
  { line: 'pveum-user whmcs@p', ok: false },
  { line: 'pveum-user whmcs', ok: false },
  { line: 'pveum-user wh:mcs@pve', ok: false },
  { line: 'pveum-user whmcs@1pve', ok: false },
  { line: 'pveum-token whmcs-api@pve!whmcs_token', ok: true },
  { line: 'pveum-token whmcs-api@pve!t', ok: false },
  { line: 'pveum-token whmcs-api@pve!1token', ok: false },
  { line: 'pveum-token whmcs-api@pve', ok: false },
  // pve-roleid and the PVE namespace
  { line: 'pveum-role GenVmProvisioning', ok: true },
  { line: 'pveum-role PVEVMAdmin', ok: false },
  { line: 'pveum-role pveOperator', ok: false },
  { line: 'pveum-role Gen/Role', ok: false },
  // check_path
  ...['/', '/vms', '/vms/100', '/pool/customers', '/pool/a/b/c', '/storage/local-lvm', '/nodes/pve', '/sdn/zones/localnetwork/vmbr2', '/sdn/zones/localnetwork/vmbr2/30', '/sdn/zones/localnetwork/vmbr2/4094', '/access/groups/admins'].map(
    (path) => ({ line: `pveum-acl-path ${path}`, ok: true }),
  ),
  ...['/vms/99', '/vms/0100', '/pool/a/b/c/d', '/sdn/zones/localnetwork/vmbr2/0', '/sdn/zones/localnetwork/vmbr2/10000', '/foo', '/storage/local lvm'].map((path) => ({ line: `pveum-acl-path ${path}`, ok: false })),
];

/** gen's own verdict on a case line: its validators in src/targets/proxmox/. */
export function genVerdict(line: string): boolean {
  const [kind, ...rest] = line.split(' ');
  if (kind === 'qm' || kind === 'pct') {
    const [, key, ...value] = rest;
    if (kind === 'pct' && key === 'nameserver') return verifyNameserverList(value.join(' ')) === undefined;
    const scsi = /^scsi(\d+)$/.exec(key!);
    if (kind === 'qm' && scsi) {
      const [storage, gib] = value.join(' ').split(':');
      try {
        return Number(scsi[1]) < MAX_SCSI_DISKS && newDisk(storage!, Number(gib)) === value.join(' ');
      } catch {
        return false;
      }
    }
    const index = /^net(\d+)$/.exec(key!);
    if (!index || Number(index[1]) >= MAX_NETS) return false;
    return (kind === 'qm' ? parseQmNet : parseLxcNet)(value.join(' ')).ok;
  }
  const value = rest.join(' ');
  switch (kind) {
    case 'pveum-priv':
      return verifyPrivilegeList(value) === undefined;
    case 'pveum-user':
      return verifyUserId(value) === undefined;
    case 'pveum-token':
      return verifyTokenId(value) === undefined;
    case 'pveum-role':
      return verifyRoleId(value) === undefined && !isReservedRoleName(value);
    case 'pveum-acl-path':
      return isAclPath(value);
    default:
      throw new Error(`no case kind ${kind}`);
  }
}
