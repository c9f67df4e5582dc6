// What the AWS Site-to-Site VPN asks of the customer gateway beyond IKE and
// IPsec parameters.

/**
 * The TCP maximum segment size to clamp to on the tunnel interfaces: the
 * `ip tcp adjust-mss 1379` of the configurations AWS generates for its
 * customer gateways. An AWS VPN connection does not support path MTU
 * discovery, and does not reassemble packets fragmented after encryption
 * (Site-to-Site VPN User Guide, "Requirements for your customer gateway
 * device"): without the clamp, an EC2 instance (MTU 9001) answers an on-prem
 * host's 1460-byte MSS with segments that no longer fit the tunnel once
 * encrypted.
 */
export const VPN_TCP_MSS = 1379;

/**
 * The public ASNs AWS keeps for its own side of a VPN, by region ('*' for
 * every region): a customer gateway may not take them (Site-to-Site VPN User
 * Guide, "Customer gateway options": "You can use an existing public ASN
 * assigned to your network, with the exception of the following: 7224 —
 * Reserved in all Regions; 9059 — Reserved in the eu-west-1 Region; 10124 —
 * Reserved in the ap-northeast-1 Region; 17943 — Reserved in the
 * ap-southeast-1 Region"). They are the ASNs AWS gave its virtual private
 * gateways before 2018-06-30 (the VPC User Guide of then, "AWS Managed VPN
 * Connections" gives 17493 for Singapore, which terraform-provider-aws's
 * ValidAmazonSideASN lists for a gateway's Amazon side). Only the list the
 * customer gateway's documentation gives is refused: 17493 may be a network's
 * own public ASN, and nothing shows that CreateCustomerGateway refuses it.
 */
const AWS_RESERVED_ASNS: ReadonlyMap<number, string> = new Map([
  [7224, '*'],
  [9059, 'eu-west-1'],
  [10124, 'ap-northeast-1'],
  [17943, 'ap-southeast-1'],
]);

/** Where AWS reserves the ASN for itself ('every region' or the region), if it does so in `region`. */
export function reservedCustomerGatewayAsn(asn: number, region: string): string | undefined {
  const where = AWS_RESERVED_ASNS.get(asn);
  if (where === '*') return 'every region';
  return where === region ? where : undefined;
}
