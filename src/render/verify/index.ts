// out/<site>/verify/: one script per box that reads the box's live state
// and compares it with what the topology expects (docs/verify.md): the
// firewall, each Proxmox host, the backup server.
import type { Model } from '../../model.js';
import { releaseSections } from '../opnsense/index.js';
import { type OutputFiles, setText } from '../target.js';
import { firewallScriptName, writeFirewallScript } from './firewall.js';
import { PBS_SCRIPT, pbsScript } from './pbs.js';
import { proxmoxScript, proxmoxScriptName } from './proxmox.js';
import { declaredIn } from './script.js';

export function verifyDir(site: string): string {
  return `${site}/verify`;
}

export function renderVerify(model: Model, files: OutputFiles): void {
  const declared = declaredIn(model);
  for (const site of model.sites) {
    const dir = verifyDir(site.name);
    if (site.firewall) setText(files, `${dir}/${firewallScriptName(site.firewall)}`, (part) => writeFirewallScript(model, site, declared, part));
    for (const host of site.hosts) files.set(`${dir}/${proxmoxScriptName(host)}`, proxmoxScript(model, site, host, declared));
    if (site.backup) files.set(`${dir}/${PBS_SCRIPT}`, pbsScript(model, site, site.backup, declared));
  }
  // The last reader of what the OPNsense target kept (it renders right
  // after the OPNsense files): the targets that follow add to the output
  // held in memory.
  releaseSections(model);
}
