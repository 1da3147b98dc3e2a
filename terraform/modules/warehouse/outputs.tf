output "dataset_ids" {
  description = "Dataset name => dataset id."
  value       = { for k, d in google_bigquery_dataset.this : k => d.dataset_id }
}

output "table_ids" {
  description = "Table key (dataset.table, as in the generated file) => resource id."
  value       = { for k, t in google_bigquery_table.table : k => t.id }
}

output "materialized_view_id" {
  description = "Resource id of risk.recent_portfolio_exposures_mv."
  value       = google_bigquery_table.recent_exposures_mv.id
}

output "materialized_view" {
  description = "dataset.table of the recent-exposures materialized view, as the refresh function names it."
  value       = "${google_bigquery_table.recent_exposures_mv.dataset_id}.${google_bigquery_table.recent_exposures_mv.table_id}"
}

output "recent_view" {
  description = "dataset.table of the rolling 24 h view over the materialized view."
  value       = "${google_bigquery_table.recent_exposures_24h.dataset_id}.${google_bigquery_table.recent_exposures_24h.table_id}"
}

output "hot_retention_days" {
  description = "Days a partition stays in BigQuery before it expires; the archiving function must export it before then."
  value       = var.hot_retention_days
}
