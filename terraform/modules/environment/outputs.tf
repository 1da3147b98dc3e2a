output "function_uris" {
  description = "Function name => HTTPS URI."
  value       = module.functions.function_uris
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

output "materialized_view" {
  description = "The recent-exposures materialized view (dataset.table)."
  value       = module.warehouse.materialized_view
}

output "archive_bucket" {
  description = "The 7-year cold archive bucket."
  value       = module.archive.archive_bucket
}

output "archive_retention_locked" {
  description = "Whether the archive retention policy is locked."
  value       = module.archive.retention_locked
}
