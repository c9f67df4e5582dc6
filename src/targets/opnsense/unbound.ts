// OPNsense's resolver, Unbound, as a box has it from the factory (25.7 to
// 26.7): with no listen interfaces chosen it binds every address
// (unbound_generate_config() in plugins.inc.d/unbound.inc: interface 0.0.0.0
// and ::, interface-automatic), and its access list answers every source
// (Unbound.xml: acls.default_action defaults to allow, and
// templates/OPNsense/Unbound/core/access_lists.conf writes
// access-control: 0.0.0.0/0 allow). The filter alone decides who it answers.

/** The port Unbound answers on (Unbound.xml: general.port defaults to 53). */
export const UNBOUND_PORT = 53;

/** The access-control line the factory access list gives Unbound for IPv4. */
export const UNBOUND_DEFAULT_ACCESS = 'access-control: 0.0.0.0/0 allow';

/** Where the access list is set on the box. */
export const UNBOUND_ACCESS_LISTS = 'Services › Unbound DNS › Access Lists';
