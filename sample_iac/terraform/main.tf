terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project     = var.project
      Environment = var.environment
      Owner       = var.owner
    }
  }
}

# Load balancers ---------------------------------------------------------------

resource "aws_wafv2_web_acl" "web" {
  name  = "${var.project}-${var.environment}-web"
  scope = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "rate-limit"
    priority = 1

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = 1000
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "rate-limit"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.project}-web"
    sampled_requests_enabled   = true
  }
}

# Hardened: behind the web ACL, logs its requests, drops malformed headers, cannot be deleted by
# accident.
resource "aws_lb" "web" {
  name                       = "${var.project}-${var.environment}-web"
  internal                   = false
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.web_alb.id]
  subnets                    = [aws_subnet.public_a.id, aws_subnet.public_b.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = true

  access_logs {
    bucket  = aws_s3_bucket.logs.id
    prefix  = "alb"
    enabled = true
  }
}

resource "aws_wafv2_web_acl_association" "web" {
  resource_arn = aws_lb.web.arn
  web_acl_arn  = aws_wafv2_web_acl.web.arn
}

# The web ACL's logs: WAF requires the log group name to start with "aws-waf-logs-".
resource "aws_cloudwatch_log_group" "waf" {
  name              = "aws-waf-logs-${var.project}-${var.environment}"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.data.arn
}

resource "aws_wafv2_web_acl_logging_configuration" "web" {
  resource_arn            = aws_wafv2_web_acl.web.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]
}

# INSECURE: the back office is internet-facing and has no web ACL.
resource "aws_lb" "admin" {
  name            = "${var.project}-${var.environment}-admin"
  internal        = false
  security_groups = [aws_security_group.admin_alb.id]
  subnets         = [aws_subnet.public_a.id, aws_subnet.public_b.id]
}

resource "aws_lb_target_group" "app" {
  name     = "${var.project}-${var.environment}-app"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = aws_vpc.main.id

  health_check {
    path = "/healthz"
  }
}

resource "aws_lb_listener" "web_https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_listener" "admin_https" {
  load_balancer_arn = aws_lb.admin.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

# Databases ---------------------------------------------------------------------

resource "aws_db_subnet_group" "private" {
  name       = "${var.project}-${var.environment}-private"
  subnet_ids = [aws_subnet.private_a.id, aws_subnet.private_b.id]
}

resource "aws_kms_key" "data" {
  description         = "${var.project} ${var.environment} data at rest"
  enable_key_rotation = true
}

# Hardened: encrypted with a customer-managed key, private subnets only, logs exported.
resource "aws_db_instance" "app" {
  identifier                  = "${var.project}-${var.environment}-app"
  engine                      = "postgres"
  engine_version              = "16.6"
  instance_class              = var.db_instance_class
  allocated_storage           = 100
  username                    = "app_admin"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.private.name
  vpc_security_group_ids      = [aws_security_group.database.id]
  multi_az                    = true
  storage_encrypted           = true
  kms_key_id                  = aws_kms_key.data.arn
  publicly_accessible         = false
  backup_retention_period     = 14
  deletion_protection         = true

  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]
}

# INSECURE: storage_encrypted is not set, so the reporting cluster is unencrypted.
resource "aws_rds_cluster" "reporting" {
  cluster_identifier          = "${var.project}-${var.environment}-reporting"
  engine                      = "aurora-postgresql"
  engine_version              = "15.4"
  master_username             = "reporting_admin"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.private.name
  vpc_security_group_ids      = [aws_security_group.database.id]
  backup_retention_period     = 7
}

resource "aws_rds_cluster_instance" "reporting" {
  identifier          = "${var.project}-${var.environment}-reporting-1"
  cluster_identifier  = aws_rds_cluster.reporting.id
  instance_class      = "db.r6g.large"
  engine              = aws_rds_cluster.reporting.engine
  publicly_accessible = false
}

# Storage ------------------------------------------------------------------------

# Hardened: default encryption, a full public access block, versioning and access logging, as split
# resources.
resource "aws_s3_bucket" "assets" {
  bucket = "${var.project}-${var.environment}-assets"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "assets" {
  bucket = aws_s3_bucket.assets.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "assets" {
  bucket = aws_s3_bucket.assets.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "assets" {
  bucket = aws_s3_bucket.assets.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "assets" {
  bucket        = aws_s3_bucket.assets.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/assets/"
}

# INSECURE: no default encryption and no public access block.
resource "aws_s3_bucket" "logs" {
  bucket = "${var.project}-${var.environment}-logs"
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.logs_bucket.json
}

# INSECURE: scratch space for batch jobs, not encrypted.
resource "aws_ebs_volume" "scratch" {
  availability_zone = data.aws_availability_zones.available.names[0]
  size              = 200
  type              = "gp3"

  tags = {
    Name = "${var.project}-${var.environment}-scratch"
  }
}

# Identity -------------------------------------------------------------------------

# INSECURE: every action on every resource.
resource "aws_iam_policy" "ops_admin" {
  name        = "${var.project}-${var.environment}-ops-admin"
  description = "Operations team access"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      }
    ]
  })
}

resource "aws_iam_role" "app" {
  name               = "${var.project}-${var.environment}-app"
  assume_role_policy = data.aws_iam_policy_document.app_assume.json
}

# Hardened: the app servers may read and write their own bucket, nothing else.
resource "aws_iam_role_policy" "app_assets" {
  name   = "assets-access"
  role   = aws_iam_role.app.id
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "ListAssets",
          "Effect": "Allow",
          "Action": "s3:ListBucket",
          "Resource": "arn:aws:s3:::acme-shop-prod-assets"
        },
        {
          "Sid": "ReadWriteAssets",
          "Effect": "Allow",
          "Action": ["s3:GetObject", "s3:PutObject"],
          "Resource": "arn:aws:s3:::acme-shop-prod-assets/*"
        }
      ]
    }
  EOT
}

resource "aws_iam_instance_profile" "app" {
  name = "${var.project}-${var.environment}-app"
  role = aws_iam_role.app.name
}

# Hardened: the app servers run in the private subnets (no route to the internet gateway), ask for
# IMDSv2 only and encrypt their volumes. Both load balancers forward to them, so the attack-path
# check (AWS-PATH-001) walks admin ALB -> app servers -> their role -> the assets bucket and -> the
# database security group -> the database; the web ALB's paths have every layer.
resource "aws_launch_template" "app" {
  name_prefix            = "${var.project}-${var.environment}-app-"
  image_id               = "ami-0123456789abcdef0"
  instance_type          = "t3.small"
  vpc_security_group_ids = [aws_security_group.app.id]

  iam_instance_profile {
    name = aws_iam_instance_profile.app.name
  }

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      encrypted   = true
      volume_size = 20
    }
  }

  monitoring {
    enabled = true
  }
}

resource "aws_autoscaling_group" "app" {
  name                = "${var.project}-${var.environment}-app"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = [aws_subnet.private_a.id, aws_subnet.private_b.id]
  target_group_arns   = [aws_lb_target_group.app.arn]

  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
}

# Audit --------------------------------------------------------------------------

# Hardened: every region, log file integrity validation, log files encrypted with the KMS key.
# INSECURE: the events are not sent to CloudWatch Logs, so no metric filter or alarm watches them.
resource "aws_cloudtrail" "main" {
  name                          = "${var.project}-${var.environment}"
  s3_bucket_name                = aws_s3_bucket.logs.id
  s3_key_prefix                 = "cloudtrail"
  include_global_service_events = true
  is_multi_region_trail         = true
  enable_log_file_validation    = true
  kms_key_id                    = aws_kms_key.data.arn

  depends_on = [aws_s3_bucket_policy.logs]
}

# Hardened: the assets bucket refuses requests made without TLS.
resource "aws_s3_bucket_policy" "assets" {
  bucket = aws_s3_bucket.assets.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.assets.arn, "${aws_s3_bucket.assets.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
