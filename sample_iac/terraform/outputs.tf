output "web_url" {
  description = "Public address of the storefront."
  value       = "https://${aws_lb.web.dns_name}"
}

output "admin_url" {
  description = "Address of the back office."
  value       = "https://${aws_lb.admin.dns_name}"
}

output "database_endpoint" {
  description = "Connection endpoint of the application database."
  value       = aws_db_instance.app.endpoint
}

output "reporting_endpoint" {
  description = "Writer endpoint of the reporting cluster."
  value       = aws_rds_cluster.reporting.endpoint
}

output "assets_bucket" {
  description = "Bucket holding static assets."
  value       = aws_s3_bucket.assets.bucket
}

output "trail_arn" {
  description = "ARN of the account trail."
  value       = aws_cloudtrail.main.arn
}
