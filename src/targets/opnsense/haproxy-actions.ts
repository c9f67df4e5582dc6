// How the os-haproxy model stores the rules ("actions") gen writes, in the
// release's form (releases/: haproxyActions): model 4.1.0 (up to 26.1.1)
// names each rule in its type ("tcp-request_inspect-delay",
// "http-request_redirect"), model 5.0.0 (26.1.2 on) has a generic type with
// an action and an option field, and renders only rules with enabled = 1.
// use_backend is the same in both (net/haproxy/.../HAProxy.xml and
// haproxy.conf, plugins 25.7.11 and 26.7.2). del-header takes one header
// name: 4.1.0's http_request_del_header_name, 5.0.0's option; set-header a
// name and a value: 4.1.0's http_request_set_header_name and _content,
// 5.0.0's option with both. The model takes the name of an ACL or a rule
// of at most 255 characters (/^[^\t^,^;^\.^\[^\]^\{^\}]{1,255}$/u).
import { fitName } from './fit-name.js';
import type { ReleaseForms } from './release-types.js';

export type HaproxyRule =
  | { kind: 'use-backend'; backend: string }
  | { kind: 'inspect-delay'; delay: string }
  | { kind: 'content-accept' }
  | { kind: 'redirect'; option: string }
  | { kind: 'del-header'; header: string }
  | { kind: 'set-header'; header: string; value: string };

type Form = ReleaseForms['haproxyActions'];

/** The fields of a rule after its name, description and conditions, in a release's form. */
export function haproxyRuleFields(form: Form, rule: HaproxyRule): Record<string, string> {
  const generic = form === 'http-request';
  // Model 5.0.0 renders a rule only with enabled = 1 (a required field); 4.1.0 has no such field.
  // A fresh object per call, which the case then fills.
  const enabled: Record<string, string> = generic ? { enabled: '1' } : {};
  switch (rule.kind) {
    case 'use-backend':
      return Object.assign(enabled, { type: 'use_backend', use_backend: rule.backend });
    case 'inspect-delay':
      return generic
        ? Object.assign(enabled, { type: 'tcp-request', tcp_request_action: 'inspect-delay', tcp_request_option: rule.delay })
        : { type: 'tcp-request_inspect-delay', tcp_request_inspect_delay: rule.delay };
    case 'content-accept':
      return generic ? Object.assign(enabled, { type: 'tcp-request', tcp_request_action: 'content_accept' }) : { type: 'tcp-request_content_accept' };
    case 'redirect':
      return generic
        ? Object.assign(enabled, { type: 'http-request', http_request_action: 'redirect', http_request_option: rule.option })
        : { type: 'http-request_redirect', http_request_redirect: rule.option };
    case 'del-header':
      return generic
        ? Object.assign(enabled, { type: 'http-request', http_request_action: 'del-header', http_request_option: rule.header })
        : { type: 'http-request_del-header', http_request_del_header_name: rule.header };
    case 'set-header':
      return generic
        ? Object.assign(enabled, { type: 'http-request', http_request_action: 'set-header', http_request_option: `${rule.header} ${rule.value}` })
        : { type: 'http-request_set-header', http_request_set_header_name: rule.header, http_request_set_header_content: rule.value };
  }
}

/** ACL, rule and health check names: the model refuses tabs and , ; . [ ] { } ^ in them, and more than 255 characters. */
export function haproxyItemName(text: string): string {
  return fitName(text.replace(/[\t,;.[\]{}^]/g, '_'), HAPROXY_ITEM_NAME_MAX);
}

/** The characters the name of an ACL or a rule takes. */
export const HAPROXY_ITEM_NAME_MAX = 255;
