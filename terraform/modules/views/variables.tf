variable "views_path" {
  description = "Path to shared/contracts/warehouse-views.json: the materialized and rolling views of the warehouse."
  type        = string

  validation {
    condition     = fileexists(var.views_path)
    error_message = "views_path must point at an existing shared/contracts/warehouse-views.json."
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
  description = "Project the rendered SQL names in fully qualified table references."
  type        = string
}
