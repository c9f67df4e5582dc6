// OPNsense's NAT reflection for port forwards (opnsense/core 25.7.11 to
// 26.7.2). A rule's natreflection "purenat" (DNat.xml "Enable"; 25.7's
// firewall_nat_edit.php stores the same) makes ForwardRule.php repeat its rdr
// on every interface without a gateway; blank is the system default, off in
// the factory config (<system><disablenatreflection>yes). The outbound NAT
// that a client on the target's own network needs is no field of a rule:
// only <system><enablenatreflectionhelper> adds it, on every interface the
// rdr is on (Plugin.php systemDefaults, ForwardRule.php rdr_nat).

/** A forward's natreflection value for "Enable". */
export const REFLECTION_ON = 'purenat';

/** Where the box turns the reflection helper on (system_advanced_firewall.php, in the Firewall › Settings menu). */
export const REFLECTION_HELPER_SETTING = 'Firewall › Settings › Advanced › Automatic outbound NAT for Reflection';
