// How the S3 endpoint's secret reaches Proxmox Backup Server 4 without a
// command line (proxmox-backup v4.2.0). `proxmox-backup-manager s3 endpoint
// create|update` takes --secret-key only as an argument (proxmox-router
// cli/getopts.rs reads parameters from argv alone), where `ps` and
// /proc/<pid>/cmdline show it to every local user while it runs. The same API
// methods take it in a request body: POST /config/s3 is
// create_s3_client_config, PUT /config/s3/{id} update_s3_client_config
// (src/api2/config/s3.rs ROUTER, mounted by src/api2/config/mod.rs); both
// need Sys.Modify on /system/s3-endpoint[/{id}], which only the Admin role
// has (pbs-api-types acl.rs ROLE_ADMIN = u64::MAX). The proxy serves the API
// on port 8007 (src/bin/proxmox-backup-proxy.rs) with the certificate in
// proxy.pem; an API token logs in with the header
// `Authorization: PBSAPIToken=<tokenid>:<secret>` (src/auth.rs
// auth_token_prefix, proxmox-auth-api extract_auth_data).
import { PBS_API_PORT } from './ports.js';

/** The API behind the proxy, on the backup server itself. */
export const PBS_LOCAL_API = `https://localhost:${PBS_API_PORT}/api2/json`;

/** The collection of S3 endpoints: POST creates one, PUT on /<id> updates it. */
export const PBS_S3_CONFIG_PATH = '/config/s3';

/** The proxy's certificate: the script pins its public key, as PBS's own localhost client pins it (src/client_helpers.rs connect_to_localhost). */
export const PBS_PROXY_CERT = '/etc/proxmox-backup/proxy.pem';

/**
 * The proxy's service: it reads proxy.pem when it starts or reloads
 * (src/bin/proxmox-backup-proxy.rs make_tls_acceptor; ExecReload sends HUP,
 * etc/proxmox-backup-proxy.service.in), so a proxy.pem replaced by hand is
 * not the key it presents until then.
 */
export const PBS_PROXY_SERVICE = 'proxmox-backup-proxy';

/** curl's exit status when the server's key is not the pinned one (CURLE_SSL_PINNEDPUBKEYNOTMATCH). */
export const CURL_PIN_MISMATCH = 90;

/** The token header's scheme. */
export const PBS_TOKEN_AUTH_PREFIX = 'PBSAPIToken';

/** The ACL path create checks; update checks /<id> below it, so the role must propagate (acl update's default). */
export const PBS_S3_ACL_PATH = '/system/s3-endpoint';

/** The only role with Sys.Modify. */
export const PBS_S3_ROLE = 'Admin';

/** The user whose token makes the request: root@pam, as whom the script runs proxmox-backup-manager. */
export const PBS_TOKEN_USER = 'root@pam';

/** Seconds the run's token lives: the run removes it at its end; a run killed before that leaves one that soon no longer logs in. */
export const PBS_TOKEN_LIFETIME = 600;
