variable "views_path" {
  description = "Path to shared/contracts/warehouse-views.json: the materialized, rolling and summary views of the warehouse, checked against the generated tables."
  type        = string

  validation {
    condition     = fileexists(var.views_path)
    error_message = "views_path must point at an existing shared/contracts/warehouse-views.json."
  }
}

variable "generated_views_path" {
  description = "Path to terraform/generated/bigquery-views.json: the BigQuery SQL of every view, rendered by shared/contracts/warehouse-views.ts (`npm run gen`)."
  type        = string

  validation {
    condition     = fileexists(var.generated_views_path)
    error_message = "generated_views_path must point at terraform/generated/bigquery-views.json; run `npm run gen`."
  }
}

variable "tables_path" {
  description = "Path to terraform/generated/bigquery-tables.json; every view source must be a table of it."
  type        = string

  validation {
    condition     = fileexists(var.tables_path)
    error_message = "tables_path must point at terraform/generated/bigquery-tables.json; run `npm run gen`."
  }
}

variable "project_id" {
  description = "Project that replaces the generated SQL's project placeholder in fully qualified table references."
  type        = string
}
