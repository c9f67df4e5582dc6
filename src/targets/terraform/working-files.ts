// What Terraform itself keeps in a working directory (the directory of the
// .tf files where `terraform init` and `apply` run). These are the user's
// data, not gen's output: gen carries them from one build's tree into the
// next, never lists them in MANIFEST, and --check and gen diff ignore them.
// Terraform's own names (internal/command/workdir, the local backend and
// the tfvars loader of the configs package).

/** Entries of a working directory that belong to Terraform and its user. */
export function isTerraformWorkingEntry(name: string): boolean {
  return (
    name === 'terraform.tfstate' || // local backend state
    name === 'terraform.tfstate.backup' || // the state before the last write
    name === 'terraform.tfstate.d' || // state of the non-default workspaces
    name === '.terraform.tfstate.lock.info' || // the local backend's lock while a command runs
    name === '.terraform' || // providers, modules, the backend configuration
    name === '.terraform.lock.hcl' || // provider dependency lock
    name === 'terraform.tfvars' ||
    name === 'terraform.tfvars.json' ||
    name.endsWith('.auto.tfvars') ||
    name.endsWith('.auto.tfvars.json')
  );
}

/** Entries that hold Terraform state: a tree that drops their directory would lose what Terraform manages. */
export function isTerraformStateEntry(name: string): boolean {
  return name === 'terraform.tfstate' || name === 'terraform.tfstate.backup' || name === 'terraform.tfstate.d';
}

/** A directory of an output tree is a Terraform working directory when gen writes .tf files into it. */
export function isTerraformConfigFile(path: string): boolean {
  return path.endsWith('.tf');
}
