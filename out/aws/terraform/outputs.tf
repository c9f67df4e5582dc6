output "iksan-cloud-backup-20251129_bucket_arn" {
  description = "ARN of bucket iksan-cloud-backup-20251129"
  value       = aws_s3_bucket.iksan-cloud-backup-20251129.arn
}
