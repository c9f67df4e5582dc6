# an on-prem backup client cannot assume a role; it authenticates with a key of its own user
# trivy:ignore:AVD-AWS-0143
resource "aws_iam_user" "proxmox-backup-user" {
  # checkov:skip=CKV_AWS_273:an on-prem backup client cannot assume a role; it authenticates with a key of its own user
  name          = "proxmox-backup-user"
  force_destroy = true
  tags = {
    Name       = "proxmox-backup-user"
    managed-by = "gen"
  }
}

resource "aws_iam_policy" "Proxmox-S3-Backup-Policy" {
  name        = "Proxmox-S3-Backup-Policy"
  description = "Least-privilege access of proxmox-backup-user"
  policy      = file("${path.module}/../iam/Proxmox-S3-Backup-Policy.json")
  tags = {
    Name       = "Proxmox-S3-Backup-Policy"
    managed-by = "gen"
  }

  lifecycle {
    precondition {
      condition     = data.aws_partition.current.partition == "aws"
      error_message = "The policy was generated for partition aws (aws.region ap-northeast-2), but the provider's region ${var.aws_region} is in partition ${data.aws_partition.current.partition}, whose IAM and S3 refuse ARNs of aws (MalformedPolicyDocument). Set aws.region in the topology to that region and run gen build again instead of overriding var.aws_region."
    }
  }
}

resource "aws_iam_user_policy_attachment" "proxmox-backup-user" {
  # checkov:skip=CKV_AWS_40:an on-prem backup client cannot assume a role; it authenticates with a key of its own user
  user       = aws_iam_user.proxmox-backup-user.name
  policy_arn = aws_iam_policy.Proxmox-S3-Backup-Policy.arn
}
