output "function_uris" {
  description = "Function name => HTTPS URI."
  value       = module.fusion_risk.function_uris
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

output "materialized_view" {
  description = "The recent-exposures materialized view (dataset.table)."
  value       = module.fusion_risk.materialized_view
}

output "archive_bucket" {
  description = "The 7-year cold archive bucket."
  value       = module.fusion_risk.archive_bucket
}

output "archive_retention_locked" {
  description = "Whether the archive retention policy is locked."
  value       = module.fusion_risk.archive_retention_locked
}
