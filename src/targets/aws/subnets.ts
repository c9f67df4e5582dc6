// Which subnets of a VPC the internet can reach an instance in: those whose
// tier's route table sends a destination to the internet gateway (the
// public tier's default route, or a route written for another tier). Only
// there does a public IPv4 address mean anything: the lint refuses
// public_ip_on_launch elsewhere, the renderer writes map_public_ip_on_launch
// there, and the build's note names those that give instances none.
import type { Subnet, Vpc } from '../../model.js';

/** The tiers whose route table has a route to the internet gateway. */
export function internetGatewayTiers(routeTables: Vpc['routeTables']): Set<string> {
  return new Set(routeTables.filter((t) => t.routes.some((r) => r.target === 'internet-gateway')).map((t) => t.tier));
}

/** The subnets routed to the internet gateway that give the instances launched in them no public IPv4 address. */
export function subnetsWithoutPublicIp(subnets: readonly Subnet[], routeTables: Vpc['routeTables']): Subnet[] {
  const routed = internetGatewayTiers(routeTables);
  return subnets.filter((s) => routed.has(s.tier) && !s.publicIpOnLaunch);
}

/**
 * The build's note for subnets routed to the internet gateway whose
 * instances get no public IPv4 address: without one, nothing on the
 * internet reaches them, whatever their security groups allow.
 */
export function publicIpNote(vpc: string, without: readonly Subnet[]): string | undefined {
  if (without.length === 0) return undefined;
  const names = without.map((s) => s.name);
  const list = names.length === 1 ? `subnet ${names[0]} routes` : `subnets ${names.slice(0, -1).join(', ')} and ${names.at(-1)} route`;
  return (
    `VPC ${vpc}: ${list} to the internet gateway but ${names.length === 1 ? 'gives' : 'give'} instances no public IPv4 address (public_ip_on_launch is off), ` +
    'so nothing on the internet reaches an instance launched there, whatever its security groups allow. ' +
    'Launch an instance that must be reached with a public address (associate_public_ip_address = true; in the EC2 console, Network settings › Auto-assign public IP: Enable) or give it an Elastic IP, ' +
    `or set public_ip_on_launch: true on the ${names.length === 1 ? 'subnet' : 'subnets'} for every instance to get one.`
  );
}
