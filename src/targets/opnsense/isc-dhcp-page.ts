// What the ISC DHCPv4 page of an interface (services_dhcp.php) keeps when it is saved.

/**
 * The DNS servers the page has fields for: two (dns1, dns2). Saving the
 * page rebuilds the interface's `dnsserver` list from those two fields
 * alone, so a third server and those after it go at the first save of the
 * page, whatever else was changed (services_dhcp.php: `$dhcpdconf['dnsserver']
 * = []` then dns1 and dns2; core 25.7.11, os-isc-dhcp 26.1.11 and 26.7.2).
 */
export const ISC_DHCP_PAGE_DNS_SERVERS = 2;
