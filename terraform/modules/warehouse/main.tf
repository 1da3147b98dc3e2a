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
  # Views: shared/contracts/warehouse-views.json (the file the refresh function and the local warehouse read),
  # deployed by modules/views with the SQL the code renders (terraform/generated/bigquery-views.json).
  #
  # "Recent exposures" design. Dashboards want the last 24 hours of exposures per portfolio and asset. An
  # incremental materialized view rejects non-deterministic functions (CURRENT_TIMESTAMP, CURRENT_DATE, RAND,
  # ...), so the rolling window cannot live in the MV. Instead:
  #   1. risk.recent_portfolio_exposures_mv: a deterministic hourly roll-up (portfolio, asset, hour) over the
  #      whole base table, partitioned by DAY on the hour bucket, i.e. on the base table's partitioning column
  #      (as_of) truncated to the hour. Partitioning aligned with the base means the MV inherits the base
  #      table's partition expiration (hot_retention_days) partition by partition instead of being fully
  #      recomputed each time a base partition expires, and lets the view below prune partitions.
  #   2. risk.recent_portfolio_exposures_24h: a logical view that applies the rolling 24 h filter (the only
  #      place CURRENT_TIMESTAMP appears). Queries through the view read only the last day or two of MV
  #      partitions, and BigQuery merges any not-yet-refreshed base-table deltas, so results are never stale.
  # The scheduled refreshMaterializedViews function refreshes every MV explicitly each minute;
  # refresh_interval_ms is the automatic backstop.
  # ---------------------------------------------------------------------------------------------------------
  # Summary views (e.g. compliance.case_summary, one row per compliance case folded from its trail) are logical views
  # grouped straight over one table, deployed like the rolling views.
  materialized_views = module.views.materialized_views
  rolling_views      = module.views.rolling_views
  summary_views      = module.views.summary_views
}

module "views" {
  source = "../views"

  views_path           = var.views_path
  generated_views_path = var.generated_views_path
  tables_path          = var.tables_path
  project_id           = var.project_id
}

resource "google_bigquery_dataset" "this" {
  for_each = local.datasets

  project                    = var.project_id
  dataset_id                 = each.value
  location                   = var.location
  description                = "Fusion Risk ${each.value} data (${var.environment}); partitions expire after ${var.hot_retention_days} days (but in tables whose row schema says x-expire-partitions: false), older data lives in the Cloud Storage archive."
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

  # Partitions expire after the hot retention (archived before), but in a table whose row schema sets
  # "x-expire-partitions": false (expire_partitions in the generated file), e.g. compliance.case_events, whose trail
  # must keep verifying for years: its partitions never expire.
  dynamic "time_partitioning" {
    for_each = try(each.value.partition_field, null) == null ? [] : [each.value]
    content {
      type          = time_partitioning.value.partition_type
      field         = time_partitioning.value.partition_field
      expiration_ms = try(each.value.expire_partitions, true) ? local.hot_retention_ms : null
    }
  }

  lifecycle {
    precondition {
      condition     = try(each.value.partition_field, null) == null || contains(["DAY", "HOUR"], try(each.value.partition_type, ""))
      error_message = "Table ${each.key}: partition_type must be DAY or HOUR."
    }
  }
}

resource "google_bigquery_table" "materialized_view" {
  for_each = local.materialized_views

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.this[each.value.dataset].dataset_id
  table_id            = each.value.table
  description         = each.value.description
  deletion_protection = var.deletion_protection
  labels              = local.labels
  clustering          = length(each.value.cluster) > 0 ? each.value.cluster : null

  # Partition expiration is inherited from the base table; it cannot be set on a materialized view.
  time_partitioning {
    type  = each.value.partition.type
    field = each.value.partition.field
  }

  materialized_view {
    query                            = each.value.query
    enable_refresh                   = true
    refresh_interval_ms              = var.mv_refresh_interval_minutes * 60 * 1000
    allow_non_incremental_definition = false
  }

  depends_on = [google_bigquery_table.table]
}

resource "google_bigquery_table" "rolling_view" {
  for_each = local.rolling_views

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.this[each.value.dataset].dataset_id
  table_id            = each.value.table
  description         = each.value.description
  deletion_protection = var.deletion_protection
  labels              = local.labels

  view {
    query          = each.value.query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.materialized_view]
}

resource "google_bigquery_table" "summary_view" {
  for_each = local.summary_views

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.this[each.value.dataset].dataset_id
  table_id            = each.value.table
  description         = each.value.description
  deletion_protection = var.deletion_protection
  labels              = local.labels

  view {
    query          = each.value.query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.table]
}

# Each materialized view is authorised on its dataset: a reader granted only the view (riskApi's per-table
# dataViewer on the hourly roll-up) can query it without read access to the table beneath it.
resource "google_bigquery_dataset_access" "materialized_view" {
  for_each = local.materialized_views

  project    = var.project_id
  dataset_id = google_bigquery_dataset.this[each.value.dataset].dataset_id

  view {
    project_id = var.project_id
    dataset_id = google_bigquery_table.materialized_view[each.key].dataset_id
    table_id   = google_bigquery_table.materialized_view[each.key].table_id
  }
}

# Each summary view is authorised on the dataset of its source likewise: a function granted only the view (dataViewer
# on compliance.case_summary) reads the summary without read access to the trail beneath it.
resource "google_bigquery_dataset_access" "summary_view" {
  for_each = local.summary_views

  project    = var.project_id
  dataset_id = google_bigquery_dataset.this[split(".", each.value.source)[0]].dataset_id

  view {
    project_id = var.project_id
    dataset_id = google_bigquery_table.summary_view[each.key].dataset_id
    table_id   = google_bigquery_table.summary_view[each.key].table_id
  }
}

# Nothing was applied under the former single-view addresses, but these keep any state that was.
moved {
  from = google_bigquery_table.recent_exposures_mv
  to   = google_bigquery_table.materialized_view["risk.recent_portfolio_exposures_mv"]
}

moved {
  from = google_bigquery_table.recent_exposures_24h
  to   = google_bigquery_table.rolling_view["risk.recent_portfolio_exposures_24h"]
}
