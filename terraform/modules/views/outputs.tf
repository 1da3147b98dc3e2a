output "materialized_views" {
  description = "dataset.table => { dataset, table, description, source, partition, cluster, source_columns, query, bucket_hours }."
  value       = local.materialized_views

  precondition {
    condition     = length(local.problems) == 0
    error_message = "shared/contracts/warehouse-views.json: ${join("; ", local.problems)}."
  }
}

output "rolling_views" {
  description = "dataset.table => { dataset, table, description, over, window_hours, query } (logical views with the time window)."
  value       = local.rolling_views

  precondition {
    condition     = length(local.problems) == 0
    error_message = "shared/contracts/warehouse-views.json: ${join("; ", local.problems)}."
  }
}
