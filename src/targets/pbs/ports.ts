// The TCP ports of the backup's data path. Proxmox VE reaches the backup
// server's API on 8007 unless the storage entry sets port (gen writes none;
// pve-storage PBSPlugin.pm: `port => $scfg->{port} // 8007`). The backup
// server's S3 client speaks HTTPS to the endpoint, on 443 unless the endpoint
// sets a port (gen writes none; proxmox-s3-client client.rs).
export const PBS_API_PORT = 8007;
export const S3_HTTPS_PORT = 443;
