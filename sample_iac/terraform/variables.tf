variable "project" {
  description = "Short name used as a prefix for every resource name."
  type        = string
  default     = "acme-shop"
}

variable "environment" {
  description = "Deployment stage, part of every resource name."
  type        = string
  default     = "prod"
}

variable "owner" {
  description = "Team that owns the stack, written into the default tags."
  type        = string
  default     = "unassigned"
}

variable "aws_region" {
  description = "Region the stack is deployed to."
  type        = string
  default     = "eu-west-1"
}

variable "vpc_cidr" {
  description = "Address range of the VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "office_cidr" {
  description = "Corporate egress range allowed to reach the app servers over SSH."
  type        = string
  default     = "203.0.113.0/24"
}

variable "db_instance_class" {
  description = "Instance class of the application database."
  type        = string
  default     = "db.t4g.medium"
}

variable "certificate_arn" {
  description = "ACM certificate served by the HTTPS listeners."
  type        = string
  default     = "arn:aws:acm:eu-west-1:111122223333:certificate/0f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19"
}

variable "security_email" {
  description = "Address subscribed to the GuardDuty and Security Hub findings."
  type        = string
  default     = "security@example.com"
}
