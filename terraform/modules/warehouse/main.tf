# BigQuery: the hot tier of the warehouse. Datasets and tables come from terraform/generated/bigquery-tables.json,
# which `npm run gen` derives from schemas/warehouse: no table, column or partitioning is written here by hand.

locals {
  tables   = jsondecode(file(var.tables_path)).tables
  datasets = toset([for t in values(local.tables) : t.dataset])

  hot_retention_ms = var.hot_retention_days * 24 * 60 * 60 * 1000

  labels = {
    app         = "fusion-risk"
    environment = var.environment
  }

  # ---------------------------------------------------------------------------------------------------------
  # "Recent exposures" design.
  #
  # Dashboards want the last 24 hours of exposures per portfolio and asset. An incremental materialized view
  # rejects non-deterministic functions (CURRENT_TIMESTAMP, CURRENT_DATE, RAND, ...), so the rolling window
  # cannot live in the MV. Instead:
  #   1. risk.recent_portfolio_exposures_mv: a deterministic hourly roll-up (portfolio, asset, hour) over the
  #      whole base table, partitioned by DAY on the hour bucket, i.e. on the base table's partitioning column
  #      (as_of) truncated to the hour. Partitioning aligned with the base means the MV inherits the base
  #      table's 90-day partition expiration partition by partition instead of being fully recomputed each
  #      time a base partition expires, and lets the view below prune partitions.
  #   2. risk.recent_portfolio_exposures_24h: a logical view that applies the rolling 24 h filter (the only
  #      place CURRENT_TIMESTAMP appears). Queries through the view read only the last day or two of MV
  #      partitions, and BigQuery merges any not-yet-refreshed base-table deltas, so results are never stale.
  # The scheduled refreshMaterializedViews function refreshes the MV explicitly; refresh_interval_ms is the
  # automatic backstop.
  # ---------------------------------------------------------------------------------------------------------
  exposures_key = "risk.portfolio_exposures"
  exposures     = local.tables[local.exposures_key]

  materialized_view = "risk.recent_portfolio_exposures_mv"
  mv_dataset        = split(".", local.materialized_view)[0]
  mv_table          = split(".", local.materialized_view)[1]
  recent_view_table = "recent_portfolio_exposures_24h"

  # Base-table columns the MV reads; a precondition checks each against the generated schema.
  mv_source_columns = [
    "portfolio_id",
    "asset",
    "as_of",
    "price_usd",
    "net_exposure_usd",
    "collateral_usd",
    "borrow_usd",
    "health_score",
    "var_99_1d_usd",
  ]

  # Keywords and functions upper case, columns lower case. Deterministic: no CURRENT_*, RAND, session functions.
  mv_query = <<-MVSQL
    SELECT
      portfolio_id,
      asset,
      TIMESTAMP_TRUNC(as_of, HOUR) AS as_of_hour,
      COUNT(*) AS tick_count,
      MAX(as_of) AS latest_as_of,
      MAX_BY(price_usd, as_of) AS latest_price_usd,
      MAX_BY(net_exposure_usd, as_of) AS latest_net_exposure_usd,
      MIN(net_exposure_usd) AS min_net_exposure_usd,
      MAX(net_exposure_usd) AS max_net_exposure_usd,
      AVG(net_exposure_usd) AS avg_net_exposure_usd,
      MAX_BY(collateral_usd, as_of) AS latest_collateral_usd,
      MAX_BY(borrow_usd, as_of) AS latest_borrow_usd,
      MAX_BY(health_score, as_of) AS latest_health_score,
      MIN(health_score) AS min_health_score,
      MAX_BY(var_99_1d_usd, as_of) AS latest_var_99_1d_usd
    FROM `${var.project_id}.${local.exposures.dataset}.${local.exposures.table}`
    GROUP BY portfolio_id, asset, as_of_hour
  MVSQL

  # Hour buckets with at least one tick in the last 24 hours. The as_of_hour bound (25 h) prunes MV partitions;
  # latest_as_of applies the 24 h window.
  recent_view_query = <<-VIEWSQL
    SELECT *
    FROM `${var.project_id}.${local.mv_dataset}.${local.mv_table}`
    WHERE as_of_hour >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 25 HOUR)
      AND latest_as_of >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 24 HOUR)
  VIEWSQL
}

resource "google_bigquery_dataset" "this" {
  for_each = local.datasets

  project                    = var.project_id
  dataset_id                 = each.value
  location                   = var.location
  description                = "Fusion Risk ${each.value} data (${var.environment}); partitions expire after ${var.hot_retention_days} days, older data lives in the Cloud Storage archive."
  max_time_travel_hours      = var.max_time_travel_hours
  delete_contents_on_destroy = !var.deletion_protection
  labels                     = local.labels
}

resource "google_bigquery_table" "table" {
  for_each = local.tables

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.this[each.value.dataset].dataset_id
  table_id            = each.value.table
  description         = try(each.value.description, null)
  schema              = jsonencode(each.value.schema)
  clustering          = length(try(each.value.clustering, [])) > 0 ? each.value.clustering : null
  deletion_protection = var.deletion_protection
  labels              = local.labels

  dynamic "time_partitioning" {
    for_each = try(each.value.partition_field, null) == null ? [] : [each.value]
    content {
      type          = time_partitioning.value.partition_type
      field         = time_partitioning.value.partition_field
      expiration_ms = local.hot_retention_ms
    }
  }

  lifecycle {
    precondition {
      condition     = try(each.value.partition_field, null) == null || contains(["DAY", "HOUR"], try(each.value.partition_type, ""))
      error_message = "Table ${each.key}: partition_type must be DAY or HOUR."
    }
  }
}

resource "google_bigquery_table" "recent_exposures_mv" {
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.this[local.mv_dataset].dataset_id
  table_id            = local.mv_table
  description         = "Hourly roll-up of ${local.exposures_key} per portfolio and asset (deterministic, incremental). Query ${local.mv_dataset}.${local.recent_view_table} for the rolling 24 hours."
  deletion_protection = var.deletion_protection
  labels              = local.labels
  clustering          = ["portfolio_id", "asset"]

  # Partition expiration is inherited from the base table; it cannot be set on a materialized view.
  time_partitioning {
    type  = "DAY"
    field = "as_of_hour"
  }

  materialized_view {
    query                            = local.mv_query
    enable_refresh                   = true
    refresh_interval_ms              = var.mv_refresh_interval_minutes * 60 * 1000
    allow_non_incremental_definition = false
  }

  depends_on = [google_bigquery_table.table]

  lifecycle {
    precondition {
      condition     = local.exposures.partition_field == "as_of" && local.exposures.partition_type == "DAY"
      error_message = "The MV partitions on TIMESTAMP_TRUNC(as_of, HOUR) by DAY; ${local.exposures_key} must be DAY-partitioned on as_of."
    }
    precondition {
      condition     = length(setsubtract(local.mv_source_columns, [for c in local.exposures.schema : c.name])) == 0
      error_message = "The MV reads columns missing from ${local.exposures_key}: ${join(", ", setsubtract(local.mv_source_columns, [for c in local.exposures.schema : c.name]))}."
    }
    precondition {
      condition     = local.mv_dataset == local.exposures.dataset
      error_message = "A materialized view must live in the dataset of its base table."
    }
  }
}

resource "google_bigquery_table" "recent_exposures_24h" {
  project             = var.project_id
  dataset_id          = google_bigquery_table.recent_exposures_mv.dataset_id
  table_id            = local.recent_view_table
  description         = "Rolling last 24 hours of ${local.materialized_view}: hour buckets with a tick in the last 24 h."
  deletion_protection = var.deletion_protection
  labels              = local.labels

  view {
    query          = local.recent_view_query
    use_legacy_sql = false
  }
}
