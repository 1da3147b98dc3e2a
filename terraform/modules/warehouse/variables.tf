variable "project_id" {
  description = "Project that holds the BigQuery datasets."
  type        = string
}

variable "environment" {
  description = "Environment name, used as a label."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "tables_path" {
  description = "Path to terraform/generated/bigquery-tables.json (generated from schemas/warehouse by `npm run gen`)."
  type        = string

  validation {
    condition     = fileexists(var.tables_path)
    error_message = "tables_path must point at terraform/generated/bigquery-tables.json; run `npm run gen`."
  }
}

variable "views_path" {
  description = "Path to shared/contracts/warehouse-views.json (materialized and rolling views)."
  type        = string

  validation {
    condition     = fileexists(var.views_path)
    error_message = "views_path must point at an existing shared/contracts/warehouse-views.json."
  }
}

variable "location" {
  description = "BigQuery location of every dataset (multi-region such as EU or US, or a region)."
  type        = string
}

variable "hot_retention_days" {
  description = "Days a partition stays in BigQuery before it expires (the hot tier). Older data lives in the Cloud Storage archive."
  type        = number
  default     = 90

  validation {
    condition     = var.hot_retention_days >= 1 && var.hot_retention_days <= 3650 && floor(var.hot_retention_days) == var.hot_retention_days
    error_message = "hot_retention_days must be a whole number of days between 1 and 3650."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete tables and views (and their contents) on apply/destroy. Keep true wherever data matters."
  type        = bool
}

variable "mv_refresh_interval_minutes" {
  description = "Upper bound between automatic refreshes of the materialized view (BigQuery never refreshes more often than it decides; queries always see base-table changes)."
  type        = number
  default     = 30

  validation {
    condition     = var.mv_refresh_interval_minutes >= 1 && var.mv_refresh_interval_minutes <= 10080
    error_message = "mv_refresh_interval_minutes must be between 1 minute and 7 days (10080)."
  }
}

variable "max_time_travel_hours" {
  description = "BigQuery time-travel window of every dataset, in hours (48-168, multiple of 24)."
  type        = number
  default     = 168

  validation {
    condition     = var.max_time_travel_hours >= 48 && var.max_time_travel_hours <= 168 && var.max_time_travel_hours % 24 == 0
    error_message = "max_time_travel_hours must be a multiple of 24 between 48 and 168."
  }
}
