// Where OPNsense's web GUI and SSH listen. With no Listen Interfaces chosen
// (the factory setting, "All (recommended)" in System › Settings ›
// Administration), webgui_configure() binds lighttpd to 0.0.0.0 and ::
// (plugins.inc.d/webgui.inc: `$listeners = count($interfaces) ? [] :
// ['0.0.0.0', '::']`), and openssh_configure_do() writes no ListenAddress
// (plugins.inc.d/openssh.inc: only the chosen interfaces' addresses become
// ListenAddress lines), so sshd listens on every address: the WAN's too.
// Neither limits who may connect (sshd allows the wheel group, lighttpd
// anyone): the filter alone keeps the internet from the login. 25.7 to 26.7.2.

/** Where the listen interfaces are chosen: once for the web GUI and once for Secure Shell, on the same page. */
export const MANAGEMENT_LISTEN_SETTING = 'System › Settings › Administration, Listen Interfaces under Web GUI and under Secure Shell';

/** Where SSH logins are hardened (key only, no root). */
export const SSH_LOGIN_SETTING = 'System › Settings › Administration › Secure Shell: Permit root user login off, Permit password login off';

/**
 * The web GUI and SSH ports that lead to a login, from the anti-lockout
 * ports: port 80 beside other ports is the GUI's HTTP redirect, which only
 * answers with a redirect to the GUI's own port (webgui.inc's url.redirect
 * on :80 for https).
 */
export function loginPorts(ports: readonly number[]): number[] {
  return ports.length > 1 ? ports.filter((p) => p !== 80) : ports.slice();
}
