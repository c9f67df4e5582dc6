// plan.json: the resolved model as reviewers read it: every derived fact
// (networks, gateways, routes, allowed IPs, next free peer addresses, the
// compiled rule order) in one file. Source positions are left out so that
// moving lines in topology.yaml does not change it.
import { PLAN_FILE } from '../paths.js';
import type { Model } from '../model.js';
import { omitting, stableJson, stableJsonParts } from './json.js';
import type { OutputFiles } from './target.js';

// A rule's or test's objects are its zone's members (listed with the zone) or the object it names.
const omit = omitting(new Set(['path', 'declared', 'block', 'addresses', 'names', 'ranges', 'sources', 'destinations', 'fromObjects', 'toObjects']));

export function renderPlan(model: Model, files: OutputFiles): void {
  // In parts where the output takes them so: the plan of 100,000 peers is 187 MB.
  if (files.setParts) files.setParts(PLAN_FILE, (part) => stableJsonParts(model, omit, part));
  else files.set(PLAN_FILE, stableJson(model, omit));
}
