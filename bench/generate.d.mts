// Types of generate.mjs for the tests that import it: each topology is one the
// schema admits (src/topology.ts), with the parts the generator always writes
// made non-optional so a test can reach them without checks.
import type { AwsInput, FirewallInput, PeerInput, PolicyInput, SiteInput, Topology, WireguardInput } from '../src/topology.js';

/** The one site of siteTopology, scaleTopology and policyTopology. */
export interface GeneratedSite extends SiteInput {
  firewall: FirewallInput;
  wireguard: [WireguardInput & { peers: PeerInput[] }];
  policy: PolicyInput;
}

export interface GeneratedTopology extends Topology {
  sites: [GeneratedSite];
}

export function siteTopology(options?: { peers?: number; rules?: number; vlans?: number }): GeneratedTopology;
export function scaleTopology(options: { peers: number; rules: number; vlans: number }): GeneratedTopology;
export function policyTopology(options?: { peers?: number; services?: number; rules?: number }): GeneratedTopology;
export function vpcTopology(options?: { subnets?: number; rules?: number }): Topology & { aws: AwsInput };
export function toYaml(topology: Topology): string;
