variable "aws_region" {
  description = "AWS region of every resource (aws.region in topology.yaml)"
  type        = string
  default     = "ap-northeast-2"
}
