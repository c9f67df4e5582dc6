// How a HAProxy frontend matches a host name in the os-haproxy model, and
// how long a value the model takes in the fields gen fills from a host name.
// The model (net/haproxy/.../HAProxy.xml, the same in plugins 25.7.11,
// 26.1.11 and 26.7.2) masks an ACL's hdr_end with /^.{1,255}$/u, hdr with
// /^.{1,1024}$/u, and ssl_sni and ssl_sni_end with /^.{1,4096}$/u (the
// names of ACLs and rules: haproxy-actions.ts). A longer value goes into
// config.xml as written, but the model refuses it on the next save of any
// HAProxy item in the GUI (the whole model is validated).

/** The conditions (ACL expressions) gen routes a host name with. */
export type HostExpression = 'hdr' | 'hdr_end' | 'ssl_sni' | 'ssl_sni_end';

/** The characters (code points: the masks have the u flag) each field takes. */
export const HAPROXY_CONDITION_MAX: Readonly<Record<HostExpression, number>> = { hdr: 1024, hdr_end: 255, ssl_sni: 4096, ssl_sni_end: 4096 };

export interface HostConditions {
  expression: HostExpression;
  /**
   * The values of its conditions, any of which routes the host: one when
   * the forms fit one field (the template writes a condition's
   * space-separated values as the patterns of one acl line, any of which
   * matches), else one per form, for a rule whose operator is "or" (the
   * template joins its conditions with ||).
   */
  values: string[];
}

const length = (text: string) => Array.from(text).length;

/**
 * The conditions that match `host` on a frontend on `port`. A wildcard
 * matches the end of the name (with its dot). The Host header carries the
 * port when it is not the scheme's default one, and may when it is (RFC
 * 9110, 7.2): hdr(host) compares the whole header, and HAProxy strips a
 * default port only from a request whose target has a scheme, as HTTP/2's
 * does (http_scheme_based_normalize(), called by h1_htx.c for an
 * absolute-form target alone), so an HTTP/1.1 "Host: name:443" matched no
 * host rule without the form with the port. The SNI has no port.
 */
export function hostConditions(host: string, port: number, passthrough: boolean): HostConditions {
  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(1) : host;
  const expression: HostExpression = passthrough ? (wildcard ? 'ssl_sni_end' : 'ssl_sni') : wildcard ? 'hdr_end' : 'hdr';
  const forms = passthrough ? [name] : [name, `${name}:${port}`];
  const joined = forms.join(' ');
  return { expression, values: length(joined) <= HAPROXY_CONDITION_MAX[expression] ? [joined] : forms };
}

/** The values of `conditions` longer than the model's field takes (for a host name the schema allows: the form with the port of a wildcard of 253 characters on port 443, of 251 on a port of five digits). */
export function overlongConditions(conditions: HostConditions): string[] {
  return conditions.values.filter((v) => length(v) > HAPROXY_CONDITION_MAX[conditions.expression]);
}
