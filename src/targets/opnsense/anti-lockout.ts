// OPNsense's anti-lockout rule, which no configuration gen writes can
// override: unless <system><webgui><noantilockout> is set, the filter
// compiler registers `pass in quick on <primary interface> proto tcp from
// any to (self) port {ports}` at priority 5 (filter_core_get_antilockout()
// and filter_core_rules_system() in etc/inc/filter.lib.inc, 25.7 to 26.7.2),
// ahead of every rule from the configuration: floating ones at 200000,
// interface groups' at 300000, an interface's own at 400000 (legacy and MVC
// alike). Its ports are the web GUI's (<webgui><port>, else 443 for https
// and 80 for http), 80 for the GUI's HTTP redirect (https without
// <disablehttpredirect>), and SSH's (<ssh><port>, else 22) when SSH is
// enabled.

/**
 * The ports gen assumes when the topology does not say: the factory web
 * GUI (https on 443 with its HTTP redirect on 80) and SSH on 22. A factory
 * box has SSH off, but most are given it; assuming the port open only
 * makes gen report a pass the box may not make, never miss one it makes.
 */
export const DEFAULT_ANTI_LOCKOUT_PORTS: readonly number[] = [22, 80, 443];

/** SSH's port when <ssh><port> is empty (sshd's template and filter.lib.inc alike). */
export const SSH_PORT = 22;

/** Where the rule is turned off (system_advanced_firewall.php, in the Firewall › Settings menu). */
export const ANTI_LOCKOUT_SETTING = 'Firewall › Settings › Advanced › Disable anti-lockout';

/** How a locked-out admin turns it on again (sbin/opnsense-shell option 2 runs scripts/shell/setaddr.php, which unsets noantilockout). */
export const ANTI_LOCKOUT_RECOVERY = "at the console, option 2 (Set interface IP address) answered yes to 'Restore web GUI access defaults?'";

/**
 * The interface OPNsense puts the rule on, among the assigned interface
 * keys (get_primary_interface_from_list() in etc/inc/util.inc): lan, else
 * the first optN in natural order (opt2 before opt10), else wan.
 */
export function antiLockoutInterface(keys: readonly string[]): string | undefined {
  if (keys.includes('lan')) return 'lan';
  const opts = keys.filter((k) => /^opt[0-9]+$/.test(k)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  return opts[0] ?? (keys.includes('wan') ? 'wan' : undefined);
}
