output "dataset_ids" {
  description = "Dataset name => dataset id."
  value       = { for k, d in google_bigquery_dataset.this : k => d.dataset_id }
}

output "table_ids" {
  description = "Table key (dataset.table, as in the generated file) => resource id."
  value       = { for k, t in google_bigquery_table.table : k => t.id }
}

output "tables" {
  description = "Table key (dataset.table, as in the generated file) => { dataset_id, table_id }: what per-table IAM grants name."
  value       = { for k, t in google_bigquery_table.table : k => { dataset_id = t.dataset_id, table_id = t.table_id } }
}

output "materialized_views" {
  description = "dataset.table of every materialized view (from shared/contracts/warehouse-views.json); the refresh function refreshes each."
  value       = sort([for k, t in google_bigquery_table.materialized_view : "${t.dataset_id}.${t.table_id}"])
}

output "rolling_views" {
  description = "dataset.table of every rolling-window view over a materialized view (e.g. the last 24 hours of exposures)."
  value       = sort([for k, t in google_bigquery_table.rolling_view : "${t.dataset_id}.${t.table_id}"])
}

output "summary_views" {
  description = "dataset.table of every summary view (a logical view grouped over one table, e.g. compliance.case_summary)."
  value       = sort([for k, t in google_bigquery_table.summary_view : "${t.dataset_id}.${t.table_id}"])
}

output "partitioned_tables" {
  description = "dataset.table of every time-partitioned table: the hot event tables whose partitions expire and are archived (see non_expiring_tables for the exceptions)."
  value       = sort([for k, t in local.tables : k if try(t.partition_field, null) != null])
}

output "non_expiring_tables" {
  description = "dataset.table of every partitioned table whose partitions never expire (x-expire-partitions: false in its row schema), e.g. compliance.case_events."
  value       = sort([for k, t in local.tables : k if try(t.partition_field, null) != null && !try(t.expire_partitions, true)])
}

output "hot_retention_days" {
  description = "Days a partition stays in BigQuery before it expires; the archiving function must export it before then."
  value       = var.hot_retention_days
}
