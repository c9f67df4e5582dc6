// Whether the box's dnsmasq runs. Its model's enable is a BooleanField, which
// takes 0 and 1 only when the model is saved; what runs is decided from the
// config as it is: dnsmasq_configure_do() starts dnsmasq unless PHP's empty()
// holds for <dnsmasq><enable> (plugins.inc.d/dnsmasq.inc dnsmasq_enabled()),
// and its rc script only with dnsmasq_enable="YES", which the rc.conf.d
// template writes unless helpers.empty('dnsmasq.enable'): missing, or its
// text stripped '' or '0' (25.7 to 26.7). Everything the template takes as
// empty PHP's empty() takes as empty too, so the template's reading decides.
import { type XmlElement } from '../render/opnsense/xml.js';
import { fieldText, phpEmpty } from './fields.js';

/** Whether the dnsmasq section `dnsmasq` (of a config; none: not there) is enabled. */
export function dnsmasqEnabled(dnsmasq: XmlElement | undefined): boolean {
  return !phpEmpty(fieldText(dnsmasq, 'enable'));
}
