// What the site-to-site VPN's IPsec needs on the firewall's WAN: IKE on
// UDP 500 and NAT traversal on UDP 4500 (ipsec-steps.md forces UDP
// encapsulation, so no ESP). strongSwan holds both sockets on the box.
export const IPSEC_WAN_PORTS: readonly number[] = [500, 4500];
