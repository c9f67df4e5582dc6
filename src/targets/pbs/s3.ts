// Where a Proxmox Backup Server S3 datastore keeps its objects in its
// bucket: under the key prefix of its name. pbs-datastore's
// DataStore::s3_client_and_backend_from_datastore_config passes the
// datastore's name as the S3 client's common prefix, and `datastore create`
// marks the prefix with .in-use and refuses one another host has marked
// (src/api2/config/datastore.rs, do_create_datastore).

/** The key prefix of a datastore's objects in its bucket: "<datastore>/". */
export function datastorePrefix(datastore: string): string {
  return `${datastore}/`;
}
