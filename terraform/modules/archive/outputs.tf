output "archive_bucket" {
  description = "Name of the 7-year cold archive bucket."
  value       = google_storage_bucket.archive.name
}

output "export_staging_bucket" {
  description = "Name of the un-locked staging bucket BigQuery exports into."
  value       = google_storage_bucket.export_staging.name
}

output "retention_period_seconds" {
  description = "Retention period of the archive bucket, in seconds."
  value       = google_storage_bucket.archive.retention_policy[0].retention_period
}

output "retention_locked" {
  description = "Whether the archive's retention policy is locked (irreversible)."
  value       = google_storage_bucket.archive.retention_policy[0].is_locked
}
