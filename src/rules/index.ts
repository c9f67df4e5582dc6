// The rule registry: every rule id gen can report, in documentation order.
import { firewallRules } from './firewall.js';
import { infrastructureRules } from './infrastructure.js';
import { ipRules } from './ip.js';
import { nameRules } from './names.js';
import { reportedRules } from './reported.js';
import type { Rule } from './rule.js';
import { wireguardRules } from './wireguard.js';

export const rules: readonly Rule[] = [...reportedRules, ...nameRules, ...ipRules, ...firewallRules, ...wireguardRules, ...infrastructureRules];

export const ruleById: ReadonlyMap<string, Rule> = new Map(rules.map((r) => [r.id, r]));

export type { Rule } from './rule.js';
