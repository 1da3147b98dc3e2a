output "materialized_views" {
  description = "dataset.table => { dataset, table, description, source, partition, cluster, source_columns, query, bucket_hours }, query as generated with the project substituted."
  value       = local.materialized_views

  precondition {
    condition     = length(local.problems) == 0
    error_message = "Warehouse views: ${join("; ", local.problems)}."
  }
}

output "rolling_views" {
  description = "dataset.table => { dataset, table, description, over, window_hours, query } (logical views with the time window), query as generated with the project substituted."
  value       = local.rolling_views

  precondition {
    condition     = length(local.problems) == 0
    error_message = "Warehouse views: ${join("; ", local.problems)}."
  }
}

output "summary_views" {
  description = "dataset.table => { dataset, table, description, source, query } (logical views grouped over one table, e.g. one row per compliance case), query as generated with the project substituted."
  value       = local.summary_views

  precondition {
    condition     = length(local.problems) == 0
    error_message = "Warehouse views: ${join("; ", local.problems)}."
  }
}
