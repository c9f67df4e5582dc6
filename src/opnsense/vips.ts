// The box's virtual IPs (<virtualip><vip>: CARP, IP alias, Proxy ARP) on
// interfaces the topology readdresses. Neither the VIP model (Vip.php)
// nor the interface page checks that a VIP lies in its interface's network,
// and OPNsense configures each as written: a CARP or IP alias address is
// added to the interface's device with its own prefix (interface_carp_configure,
// interface_ipalias_configure: ifconfig <dev> <subnet>/<bits> alias), Proxy
// ARP runs choparp for the VIP's network on the device. A VIP the merge
// leaves in the interface's old network serves nobody on the new one.
import { contains, parseAddressWithPrefix, parseIPv4 } from '../net.js';
import { type XmlElement, child, childrenNamed, isElement } from '../render/opnsense/xml.js';
import { assignmentName, fieldAsWritten, fieldText } from './fields.js';
import { isIpaddrV4, takesSubnetV4 } from './ip-address.js';

const MODES: Record<string, { name: string; effect: (vip: string, key: string) => string }> = {
  carp: {
    name: 'CARP VIP',
    effect: (vip, key) =>
      `OPNsense still puts it on ${key}'s device (ifconfig … ${vip} alias vhid), where no host of the new network reaches it as its gateway, and the HA peer's copy stays in the old network too`,
  },
  ipalias: {
    name: 'IP alias',
    effect: (vip, key) => `OPNsense still adds it to ${key}'s device (ifconfig … ${vip} alias), which keeps the old network on ${key} beside the new one`,
  },
  proxyarp: {
    name: 'Proxy ARP VIP',
    effect: (vip, key) => `choparp still answers ARP for ${vip} on ${key}, where no host of the new network asks for it`,
  },
};

/** A VIP as messages name it: its kind, address/bits, vhid and description. */
export function vipName(vip: XmlElement): string {
  const mode = MODES[fieldText(vip, 'mode')]?.name ?? `VIP (mode ${fieldText(vip, 'mode')})`;
  const vhid = fieldText(vip, 'vhid');
  const descr = fieldText(vip, 'descr');
  const extra = [vhid ? `vhid ${vhid}` : '', descr ? JSON.stringify(descr) : ''].filter(Boolean).join(', ');
  return `${mode} ${fieldText(vip, 'subnet')}/${fieldText(vip, 'subnet_bits')}${extra ? ` (${extra})` : ''}`;
}

/** The box's VIPs (all modes). */
export function baseVips(root: XmlElement): XmlElement[] {
  return childrenNamed(child(root, 'virtualip'), 'vip');
}

/**
 * An interface entry's static IPv4 address and network, if it has one: interface_static_configure() (interfaces.inc)
 * configures <ipaddr>/<subnet> as written, only what is_ipaddrv4() takes with a subnet ifconfig takes (ip-address.ts,
 * as staticAddresses() in listened-addresses.ts): " 10.0.0.1" or "24 " give the interface none, "024" is /24.
 */
export function networkOf(entry: XmlElement | undefined) {
  const [address, subnet] = [fieldAsWritten(entry, 'ipaddr'), fieldAsWritten(entry, 'subnet')];
  if (!isIpaddrV4(address) || !takesSubnetV4(subnet)) return undefined;
  return parseAddressWithPrefix(`${address}/${Number(subnet)}`);
}

export interface VipFindings {
  refusals: string[];
  warnings: string[];
}

/**
 * Checks the box's VIPs against gen's interface entries, before the merge
 * changes the base's: a VIP holding the address the topology gives an
 * interface is refused (the interface page refuses "This IPv4 address is
 * being used by another interface or VIP", and the device cannot hold the
 * address twice); one that lay in the interface's old network and lies
 * outside its new one is reported, with the fix. A VIP the box keeps
 * outside its interface's network on purpose (an ISP's extra block routed
 * to the WAN) is left alone.
 */
export function vipFindings(root: XmlElement, genInterfaces: XmlElement | undefined): VipFindings {
  const found: VipFindings = { refusals: [], warnings: [] };
  const vips = baseVips(root);
  if (vips.length === 0) return found;
  const base = child(root, 'interfaces');
  for (const g of genInterfaces?.children.filter(isElement) ?? []) {
    const next = networkOf(g);
    if (!next) continue;
    const have = child(base, g.name);
    const old = networkOf(have);
    for (const vip of vips) {
      const address = parseIPv4(fieldText(vip, 'subnet'));
      if (address === undefined) continue;
      if (address === next.address) {
        found.refusals.push(
          `the base's ${vipName(vip)} on ${fieldText(vip, 'interface')} holds ${next.text}, the address the topology gives ${g.name}: OPNsense refuses an interface address a VIP uses, and the device cannot hold it twice; ` +
            'give the VIP another address (Interfaces › Virtual IPs › Settings), or the interface another one in the topology',
        );
        continue;
      }
      if (fieldText(vip, 'interface') !== g.name || !have || !old || old.block.cidr === next.block.cidr) continue;
      if (!contains(old.block, address) || contains(next.block, address)) continue;
      const mode = MODES[fieldText(vip, 'mode')];
      const text = `${fieldText(vip, 'subnet')}/${fieldText(vip, 'subnet_bits')}`;
      const where = fieldText(vip, 'mode') === 'carp' ? ', on both HA nodes' : '';
      found.warnings.push(
        `the base's ${vipName(vip)} on ${assignmentName(have)} lies in ${g.name}'s old network ${old.block.cidr}, not in ${next.block.cidr}, which the topology gives it: ` +
          `${mode ? mode.effect(text, g.name) : 'OPNsense still configures it there'}; give it an address in ${next.block.cidr} (Interfaces › Virtual IPs › Settings${where}), or remove it`,
      );
    }
  }
  return found;
}
