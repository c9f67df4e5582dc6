// Stage 5: every target renders its files from the resolved model.
// Layer: render. Imports the model, target knowledge and the layers below;
// never the rules (a fact both need lives in src/targets/).
import type { Model } from '../model.js';
import { renderAws } from './aws/index.js';
import { renderIpsecSteps } from './aws/ipsec-steps.js';
import { renderBackup } from './backup.js';
import { renderBackupJobs } from './backup-jobs.js';
import { renderGraph } from './graph.js';
import { renderOpnsense } from './opnsense/index.js';
import { renderPbsAccess } from './pbs-access.js';
import { renderPbsS3Endpoint } from './pbs-s3-endpoint.js';
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
  { name: 'pbs-s3-endpoint', render: renderPbsS3Endpoint },
  { name: 'backup-jobs', render: renderBackupJobs },
  { name: 'wireguard', render: renderWireguard },
];

/**
 * The files of a build, each text made flat as it comes in. A text built
 * piece by piece (a template's output, `${json}\n`) is a tree of its pieces
 * in V8 until something reads it whole: 10,000 client files took five times
 * their size that way, and the emit stage, which reads each text whole, made
 * every flat copy at the end of the build, when everything else is held too.
 * Flattened on arrival, the pieces are garbage while still young.
 */
class FlatTexts extends Map<string, string> {
  override set(path: string, text: string): this {
    // A regular expression runs on a flat string only: V8 flattens the text to test it.
    START.test(text);
    return super.set(path, text);
  }
}
const START = /^/;

export function renderAll(model: Model): Map<string, string> {
  const files = new FlatTexts();
  renderInto(model, files);
  return files;
}

/** Renders every target into `files`, in order (a build hands each file to the output tree as it comes). */
export function renderInto(model: Model, files: OutputFiles): void {
  for (const target of targets) target.render(model, files);
}
