// Rule ids gen had and no longer has, with the rule that reports their
// findings now: a `# gen-ignore` comment naming one silences nothing, and
// "names no rule" alone would leave its author guessing where the finding went.
export interface RetiredRule {
  /** The rule that reports the finding now. */
  now: string;
  /** Where that rule reports it, for the comment to follow it there. */
  at: string;
}

export const RETIRED_RULES: ReadonlyMap<string, RetiredRule> = new Map([
  // One cause, two findings: a container inherits its interface's dhcp.dns, the list DHCP clients get.
  ['proxmox/guest-dns-ignored', { now: 'opnsense/dhcp-dns-ignored', at: "the fourth entry of dhcp.dns on the container's network interface (the finding names the containers that inherit the list)" }],
]);
