# access logging would need a second bucket; backups are written by one known client
# trivy:ignore:AVD-AWS-0089
resource "aws_s3_bucket" "iksan-cloud-backup-20251129" {
  # checkov:skip=CKV_AWS_18:access logging would need a second bucket; backups are written by one known client
  # checkov:skip=CKV_AWS_144:cross-region replication is not part of this backup design
  # checkov:skip=CKV_AWS_145:SSE-S3 (AES256) is the chosen encryption, no KMS key to manage
  # checkov:skip=CKV2_AWS_62:no consumer for event notifications
  bucket = "iksan-cloud-backup-20251129"
  tags = {
    Name        = "iksan-cloud-backup-20251129"
    Description = "Proxmox Backup Server datastore"
    managed-by  = "gen"
  }

  lifecycle {
    prevent_destroy = true

    precondition {
      condition     = data.aws_region.current.region == "ap-northeast-2"
      error_message = "Bucket iksan-cloud-backup-20251129 would be made in the provider's region ${data.aws_region.current.region}, but gen wrote its clients for aws.region ap-northeast-2: the Proxmox Backup Server's S3 endpoint (iksan-cloud-backup-20251129.s3.ap-northeast-2.amazonaws.com, region ap-northeast-2) signs every request for ap-northeast-2, which S3 refuses for a bucket of another region (AuthorizationHeaderMalformed). Set aws.region in the topology to that region and run gen build again instead of overriding var.aws_region."
    }
  }
}

resource "aws_s3_bucket_versioning" "iksan-cloud-backup-20251129" {
  bucket = aws_s3_bucket.iksan-cloud-backup-20251129.id

  versioning_configuration {
    status = "Enabled"
  }

  lifecycle {
    prevent_destroy = true
  }
}

# SSE-S3 (AES256) is the chosen encryption, no KMS key to manage
# trivy:ignore:AVD-AWS-0132
resource "aws_s3_bucket_server_side_encryption_configuration" "iksan-cloud-backup-20251129" {
  bucket = aws_s3_bucket.iksan-cloud-backup-20251129.id

  rule {
    blocked_encryption_types = ["SSE-C"]

    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_public_access_block" "iksan-cloud-backup-20251129" {
  bucket                  = aws_s3_bucket.iksan-cloud-backup-20251129.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_ownership_controls" "iksan-cloud-backup-20251129" {
  bucket = aws_s3_bucket.iksan-cloud-backup-20251129.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_policy" "iksan-cloud-backup-20251129" {
  bucket     = aws_s3_bucket.iksan-cloud-backup-20251129.id
  policy     = file("${path.module}/../s3/iksan-cloud-backup-20251129.policy.json")
  depends_on = [aws_s3_bucket_public_access_block.iksan-cloud-backup-20251129]

  lifecycle {
    prevent_destroy = true

    precondition {
      condition     = data.aws_partition.current.partition == "aws"
      error_message = "The policy was generated for partition aws (aws.region ap-northeast-2), but the provider's region ${var.aws_region} is in partition ${data.aws_partition.current.partition}, whose IAM and S3 refuse ARNs of aws (MalformedPolicyDocument). Set aws.region in the topology to that region and run gen build again instead of overriding var.aws_region."
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "iksan-cloud-backup-20251129" {
  bucket = aws_s3_bucket.iksan-cloud-backup-20251129.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    expiration {
      expired_object_delete_marker = true
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.iksan-cloud-backup-20251129]
}
