// How the os-haproxy model stores the rules ("actions") gen writes, per
// model version (net/haproxy/.../HAProxy.xml and haproxy.conf, plugins
// 25.7.11 and 26.7.2): model 4.1.0 (up to 26.1.1) names each rule in its
// type ("tcp-request_inspect-delay"), model 5.0.0 (26.1.2 on) has a
// generic type with an action and an option field, and renders only rules
// with enabled = 1. use_backend is the same in both. ACL, server and
// health-check fields gen writes are the same in both versions.
export type HaproxyRule =
  | { kind: 'use-backend'; backend: string }
  | { kind: 'inspect-delay'; delay: string }
  | { kind: 'content-accept' };

/** The fields of a rule after its name, description and conditions, for a model version. */
export function haproxyRuleFields(version: string, rule: HaproxyRule): [string, string][] {
  const v5 = version.startsWith('5.');
  switch (rule.kind) {
    case 'use-backend':
      return [['type', 'use_backend'], ['use_backend', rule.backend]];
    case 'inspect-delay':
      return v5
        ? [['type', 'tcp-request'], ['tcp_request_action', 'inspect-delay'], ['tcp_request_option', rule.delay]]
        : [['type', 'tcp-request_inspect-delay'], ['tcp_request_inspect_delay', rule.delay]];
    case 'content-accept':
      return v5 ? [['type', 'tcp-request'], ['tcp_request_action', 'content_accept']] : [['type', 'tcp-request_content_accept']];
  }
}

/** Model 5.0.0 renders a rule only with enabled = 1 (a required field); 4.1.0 has no such field. */
export function haproxyRuleHasEnabled(version: string): boolean {
  return version.startsWith('5.');
}

/** ACL and rule names: the model refuses tabs and , ; . [ ] { } ^ in them. */
export function haproxyItemName(text: string): string {
  return text.replace(/[\t,;.[\]{}^]/g, '_');
}
