// The web GUI's ports as OPNsense derives them from <system><webgui>: its
// TCP port (443 for https, 80 for http when <port> is empty), and for https
// the HTTP redirect on 80 unless <disablehttpredirect> is set
// (plugins.inc.d/webgui.inc, and filter_core_get_antilockout() in
// filter.lib.inc, 25.7 to 26.7.2).
export const HTTP_REDIRECT_PORT = 80;

/** The GUI's port, and the redirect's when it listens. */
export function webGuiPorts(settings: { https: boolean; port: string; redirectDisabled: boolean }): { gui: number; redirect?: number } {
  const gui = Number(settings.port) || (settings.https ? 443 : 80);
  return settings.https && !settings.redirectDisabled ? { gui, redirect: HTTP_REDIRECT_PORT } : { gui };
}
