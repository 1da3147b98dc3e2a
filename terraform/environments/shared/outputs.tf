output "function_uris" {
  description = "Function name => HTTPS URI."
  value       = module.fusion_risk.function_uris
}

output "public_endpoints" {
  description = "Public function => its URL through the HTTPS load balancer (give Persona this webhook URL, not the function's own)."
  value       = module.fusion_risk.public_endpoints
}

output "edge_ip_address" {
  description = "IPv4 address of the HTTPS load balancer: the A record of every edge domain."
  value       = module.fusion_risk.edge_ip_address
}

output "function_service_accounts" {
  description = "Function name => runtime service account email."
  value       = module.fusion_risk.function_service_accounts
}

output "invoker_service_account" {
  description = "OIDC identity of push subscriptions and Scheduler jobs."
  value       = module.fusion_risk.invoker_service_account
}

output "topic_ids" {
  description = "Topic name => topic id."
  value       = module.fusion_risk.topic_ids
}

output "push_endpoints" {
  description = "Push subscription => endpoint."
  value       = module.fusion_risk.push_endpoints
}

output "dead_letter_inspection_subscriptions" {
  description = "Dead-letter topic => pull subscription to inspect rejected messages."
  value       = module.fusion_risk.dead_letter_inspection_subscriptions
}

output "materialized_views" {
  description = "Materialized views (dataset.table) the refresh function keeps fresh."
  value       = module.fusion_risk.materialized_views
}

output "rolling_views" {
  description = "Rolling-window views over the materialized views (dataset.table), e.g. the last 24 hours of exposures."
  value       = module.fusion_risk.rolling_views
}

output "kms_keys" {
  description = "Cloud KMS key name => { id, env_var }."
  value       = module.fusion_risk.kms_keys
}

output "alert_policies" {
  description = "Alert policy ids by kind and name."
  value       = module.fusion_risk.alert_policies
}

output "archive_bucket" {
  description = "The 7-year cold archive bucket."
  value       = module.fusion_risk.archive_bucket
}

output "archive_retention_locked" {
  description = "Whether the archive retention policy is locked."
  value       = module.fusion_risk.archive_retention_locked
}

output "dashboard" {
  description = "The risk dashboard: the bucket Cloud Build uploads dashboard/dist to and its URL."
  value       = module.fusion_risk.dashboard
}
