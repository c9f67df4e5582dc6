// Comparing dnsmasq versions as OPNsense's releases name them (2.91,
// 2.92rel2, 2.93: releases/<series>.ts), by major and minor number.

/** Whether dnsmasq `version` is `since` (major.minor) or later. */
export function dnsmasqAtLeast(version: string, since: string): boolean {
  const [major, minor] = version.split('.').map((part) => Number.parseInt(part, 10));
  const [sinceMajor, sinceMinor] = since.split('.').map(Number);
  return major! > sinceMajor! || (major === sinceMajor && minor! >= sinceMinor!);
}
