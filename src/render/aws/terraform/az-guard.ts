// A subnet's availability zone is checked by neither the provider's plan
// (availability_zone is free text) nor aws/az-region, which sees only the
// region prefix: ap-northeast-2e in a region of zones a-d fails CreateSubnet
// during apply, after the VPC exists. Which zones a region has differs per
// account (opt-in zones, new zones, zone names mapped per account), so no
// table in gen can know; the account does. data "aws_availability_zones"
// (hashicorp/aws, DescribeAvailabilityZones: the zones of the provider's
// region this account may use) lists them at plan, and each subnet gets a
// precondition on its zone, so the plan fails before anything is made. Not
// filtered by state: an impaired zone would otherwise fail every plan of a
// VPC already there, the one that moves instances out of it included.
// The same precondition fails every subnet when -var aws_region overrides
// aws.region (a zone's name carries its region): then the fix is aws.region,
// not the subnet's az, which aws/az-region holds to aws.region.
import { type Item, attr, block, hclString, raw, template } from '../hcl.js';

/** The data source the subnets' preconditions read, one per VPC. */
export function zonesData(name: string): Item {
  return block('data', ['aws_availability_zones', name], []);
}

/** A lifecycle block whose precondition fails the plan when the provider's region offers no zone `az` to this account. */
export function zoneGuard(zones: string, subnet: string, az: string, region: string): Item {
  const names = `data.aws_availability_zones.${zones}.names`;
  const fix = [
    `var.aws_region == ${hclString(region)}`,
    hclString("Set the subnet's az to one of them and run gen build again."),
    hclString(`var.aws_region overrides aws.region ${region}: set aws.region in the topology to that region and the subnets' az to its zones, and run gen build again instead.`),
  ];
  const message = template([
    `Subnet ${subnet} (aws.vpc.subnets in topology.yaml) is in availability zone ${az}, which region `,
    raw('var.aws_region'),
    ' does not offer to this account (its zones: ',
    raw(`join(", ", ${names})`),
    '): CreateSubnet would fail after the VPC was made. ',
    raw(`${fix[0]} ? ${fix[1]} : ${fix[2]}`),
  ]);
  return block('lifecycle', [], [block('precondition', [], [attr('condition', raw(`contains(${names}, ${hclString(az)})`)), attr('error_message', message)])]);
}
