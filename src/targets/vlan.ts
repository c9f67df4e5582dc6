// 802.1Q, which every target that carries VLANs shares (OPNsense VLAN
// devices, Proxmox bridge-vids, guest NIC tags): ids 0 and 4095 are reserved.
export const VLAN_ID_MIN = 1;
export const VLAN_ID_MAX = 4094;
