// Stage 5: every target renders its files from the resolved model.
// Layer: render. Imports the model, target knowledge and the layers below;
// never the rules (a fact both need lives in src/targets/).
import type { Model } from '../model.js';
import { renderAws } from './aws/index.js';
import { renderIpsecSteps } from './aws/ipsec-steps.js';
import { renderBackup } from './backup.js';
import { renderGraph } from './graph.js';
import { renderOpnsense } from './opnsense/index.js';
import { renderPbsAccess } from './pbs-access.js';
import { renderPlan } from './plan.js';
import { renderAccess } from './proxmox/access.js';
import { renderGuests } from './proxmox/guests.js';
import { renderProxmox } from './proxmox/index.js';
import { renderSteps } from './steps.js';
import type { OutputFiles, Target } from './target.js';
import { renderVerify } from './verify/index.js';
import { renderWireguard } from './wireguard/index.js';

export const targets: readonly Target[] = [
  // The verification scripts read the labels of the filter rules the
  // OPNsense files were written with: they render next, and drop them.
  { name: 'opnsense', render: renderOpnsense },
  { name: 'verify', render: renderVerify },
  { name: 'plan', render: renderPlan },
  { name: 'steps', render: renderSteps },
  { name: 'graph', render: renderGraph },
  { name: 'aws', render: renderAws },
  { name: 'backup', render: renderBackup },
  { name: 'ipsec-steps', render: renderIpsecSteps },
  { name: 'proxmox', render: renderProxmox },
  { name: 'guests', render: renderGuests },
  { name: 'access', render: renderAccess },
  { name: 'pbs-access', render: renderPbsAccess },
  { name: 'wireguard', render: renderWireguard },
];

export function renderAll(model: Model): OutputFiles {
  const files: OutputFiles = new Map();
  for (const target of targets) target.render(model, files);
  return files;
}
