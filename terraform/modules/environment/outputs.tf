output "function_uris" {
  description = "Function name => HTTPS URI."
  value       = module.functions.function_uris
}

output "public_endpoints" {
  description = "Public function => its URL through the HTTPS load balancer (give Persona this webhook URL, not the function's own)."
  value       = module.edge.endpoints
}

output "edge_ip_address" {
  description = "IPv4 address of the HTTPS load balancer: the A record of every edge domain."
  value       = module.edge.ip_address
}

output "function_service_accounts" {
  description = "Function name => runtime service account email."
  value       = module.functions.service_account_emails
}

output "invoker_service_account" {
  description = "OIDC identity of push subscriptions and Scheduler jobs."
  value       = module.functions.invoker_email
}

output "topic_ids" {
  description = "Topic name => topic id."
  value       = module.pubsub.topic_ids
}

output "push_endpoints" {
  description = "Push subscription => endpoint."
  value       = module.pubsub.push_endpoints
}

output "dead_letter_inspection_subscriptions" {
  description = "Dead-letter topic => pull subscription to inspect rejected messages."
  value       = module.pubsub.dead_letter_inspection_subscriptions
}

output "materialized_views" {
  description = "Materialized views (dataset.table) the refresh function keeps fresh."
  value       = module.warehouse.materialized_views
}

output "rolling_views" {
  description = "Rolling-window views over the materialized views (dataset.table), e.g. the last 24 hours of exposures."
  value       = module.warehouse.rolling_views
}

output "kms_keys" {
  description = "Cloud KMS key name => { id, env_var }."
  value       = module.kms.keys
}

output "alert_policies" {
  description = "Alert policy ids by kind and name."
  value       = module.monitoring.alert_policies
}

output "archive_bucket" {
  description = "The 7-year cold archive bucket."
  value       = module.archive.archive_bucket
}

output "archive_retention_locked" {
  description = "Whether the archive retention policy is locked."
  value       = module.archive.retention_locked
}

output "dashboard" {
  description = "The risk dashboard: the bucket Cloud Build uploads dashboard/dist to and its URL (null without dashboard_domains)."
  value       = module.edge.dashboard
}
