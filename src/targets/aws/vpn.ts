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
