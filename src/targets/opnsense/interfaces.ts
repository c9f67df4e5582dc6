// Interface and group names OPNsense itself defines, which gen's rules name
// and its lint checks against: the WireGuard plugin registers its instances
// in the interface group "wireguard" (plugins_interfaces()), IPsec traffic
// is filtered on "enc0", and interface group names and descriptions follow
// the Group model's own validation (ifgroup names may not end in a digit,
// since FreeBSD appends unit numbers to group names).
export const WIREGUARD_GROUP = 'wireguard';
export const IPSEC_INTERFACE = 'enc0';

/** FreeBSD interface groups: a name that ends in a digit is refused. */
export const GROUP_NAME_ENDS_IN_DIGIT = /[0-9]$/;

/** The characters the Group model allows in a description. */
export const GROUP_DESCRIPTION = /^[\t\n\v\f\r 0-9a-zA-Z.\-,_\u{A0}-\u{FFFF}]*$/u;
