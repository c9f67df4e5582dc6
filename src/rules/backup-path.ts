// The backup's data path through the firewall: Proxmox VE sends backups to
// the backup server's API, and the backup server writes them to S3. Where
// the firewall stands between them, the policy must pass both; nothing else
// in the build would say so until the first backup or `s3 check` fails.
import { flowVerdicts, internetDestinations, pointFlowVerdicts } from '../flows.js';
import type { Host, Network, Site } from '../model.js';
import { contains, parseIPv4 } from '../net.js';
import { PBS_API_PORT, S3_HTTPS_PORT } from '../targets/pbs/ports.js';
import type { Rule } from './rule.js';

/** The internal network of the site (one the firewall routes, not its WAN) that holds the address. */
function internalNetworkOf(site: Site, address: number): Network | undefined {
  const internal = new Set(site.internalNetworks);
  return site.networks.find((n) => internal.has(n.id) && n.firewallAddress !== undefined && contains(n.block, address));
}

/**
 * The host's address its traffic to `target` leaves from, when that traffic
 * goes through the firewall: none when the host has an address on the
 * target's own network (no firewall between) or reaches it through another
 * router (which the firewall's policy does not decide).
 */
function sourceThroughFirewall(site: Site, host: Host, target: number, network: Network): number | undefined {
  if (host.bridges.some((b) => b.address !== undefined && b.network === network.id)) return undefined;
  const firewall = new Set(site.networks.flatMap((n) => (n.firewallAddress === undefined ? [] : [n.firewallAddress])));
  const gateway = host.defaultGateway;
  const route = host.routes.find((r) => r.network === network.id) ?? (gateway ? { bridge: gateway.bridge, via: gateway.address } : undefined);
  if (!route || !firewall.has(route.via)) return undefined;
  const address = host.bridges.find((b) => b.name === route.bridge)?.address;
  const from = address === undefined ? undefined : parseIPv4(address);
  return from === target ? undefined : from;
}

export const backupPathRules: Rule[] = [
  {
    id: 'backup/path-blocked',
    severity: 'error',
    summary: "The firewall's policy blocks the backup's data path: Proxmox VE to the backup server's API (TCP 8007), or the backup server to the S3 endpoint (HTTPS).",
    why: `Proxmox VE sends every backup to the backup server's API on TCP ${PBS_API_PORT}, and the backup server stores it in the bucket over HTTPS (TCP ${S3_HTTPS_PORT}). Where one of them sits behind the firewall and the policy does not pass that flow, the build and the restore of the configuration succeed, and then s3 check, datastore create, pvesm add and every backup fail with a connection timeout.`,
    hint: `Pass TCP ${PBS_API_PORT} from the Proxmox VE hosts to the backup server, and TCP ${S3_HTTPS_PORT} from the backup server to the internet (the S3 endpoint), or put the backup server on a network whose zone may reach both.`,
    examples: [
      {
        where: 'sites[].policy.rules[management-out]',
        bad: 'to: service',
        good: 'to: any',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const backup = site.backup;
        const pbs = backup?.address === undefined ? undefined : parseIPv4(backup.address);
        if (!backup || pbs === undefined || !site.firewall) continue;
        const network = internalNetworkOf(site, pbs);
        if (!network) continue;
        const path = backup.path.concat('address');
        const out = flowVerdicts(site, [[pbs, pbs]], internetDestinations(site), 'tcp', S3_HTTPS_PORT);
        if (out.length > 0 && out.every((v) => v.verdict === 'deny')) {
          report({
            path,
            message: `the backup server ${backup.address} cannot reach the S3 endpoint ${backup.endpoint.replace('{{bucket}}.', '')}: ${out[0]!.decidedBy} blocks TCP ${S3_HTTPS_PORT} from it to the internet`,
            hint: `Pass TCP ${S3_HTTPS_PORT} from ${backup.address} (or its zone) to internet${out[0]!.path ? ` before ${out[0]!.decidedBy}` : ''}.`,
            ...(out[0]!.path ? { related: [{ message: out[0]!.decidedBy, path: out[0]!.path }] } : {}),
          });
        }
        for (const host of site.hosts) {
          const from = sourceThroughFirewall(site, host, pbs, network);
          if (from === undefined) continue;
          const [verdict] = pointFlowVerdicts(site, [{ from, to: pbs }], 'tcp', PBS_API_PORT);
          if (verdict?.verdict !== 'deny') continue;
          const source = host.bridges.find((b) => parseIPv4(b.address ?? '') === from)!.address!;
          report({
            path,
            message: `Proxmox VE host ${host.name} (${source}) cannot reach the backup server ${backup.address} on TCP ${PBS_API_PORT}: ${verdict.decidedBy} blocks it, so storage ${backup.pveStorage} and every backup to it fail`,
            hint: `Pass TCP ${PBS_API_PORT} from ${source} (or its zone) to ${backup.address}${verdict.path ? ` before ${verdict.decidedBy}` : ''}, or put the backup server on a network of the host.`,
            ...(verdict.path ? { related: [{ message: verdict.decidedBy, path: verdict.path }] } : {}),
          });
        }
      }
    },
  },
];
