provider "aws" {
  region = var.aws_region
}

data "aws_partition" "current" {}

data "aws_region" "current" {}
