# shellcheck shell=bash
# ifupdown2_conf [TREE]: prints the ifupdown2.conf the interfaces checks run
# with: Debian's /etc/network/ifupdown2/ifupdown2.conf, or that of the
# ifupdown2 built in TREE (ifupdown2-pve-tree.sh), with Proxmox's settings
# and the keyword check on:
# - multiple_vlan_aware_bridge_support=1, as Proxmox's packaging sets it
#   (debian/patches/pve/0005-config-tuning.patch);
# - addon_syntax_check=1, stricter than a node (0 there): typos in keywords
#   are reported, not ignored;
# - no persistent debug log (3.3.0 would write one into the host's /var/log).
ifupdown2_conf() {
  local conf=/etc/network/ifupdown2/ifupdown2.conf
  [ -z "${1:-}" ] || conf=$1/etc/ifupdown2.conf
  sed -e 's/^multiple_vlan_aware_bridge_support=0/multiple_vlan_aware_bridge_support=1/' \
      -e 's/^addon_syntax_check=0/addon_syntax_check=1/' \
      -e 's/^enable_persistent_debug_logging=.*/enable_persistent_debug_logging=no/' \
      "$conf"
}
