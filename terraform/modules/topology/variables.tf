variable "topology_path" {
  description = "Path to shared/contracts/topology.json: topics, functions, subscriptions, schedules, secrets."
  type        = string

  validation {
    condition     = fileexists(var.topology_path)
    error_message = "topology_path must point at an existing shared/contracts/topology.json."
  }
}

variable "tables_path" {
  description = "Path to terraform/generated/bigquery-tables.json; when set, warehouse access is checked against it and mapped to datasets."
  type        = string
  default     = null

  validation {
    condition     = var.tables_path == null ? true : fileexists(var.tables_path)
    error_message = "tables_path must point at an existing terraform/generated/bigquery-tables.json."
  }
}

variable "views_path" {
  description = "Path to shared/contracts/warehouse-views.json; when set, a function that runs jobs and writes the source of a materialized view is granted what refreshing it needs."
  type        = string
  default     = null

  validation {
    condition     = var.views_path == null ? true : fileexists(var.views_path)
    error_message = "views_path must point at an existing shared/contracts/warehouse-views.json."
  }
}

variable "project_id" {
  description = "Project the push endpoints name (the functions read the topic from the request path)."
  type        = string
  default     = ""
}

variable "function_uris" {
  description = "Deployed function name (topology key) => HTTPS URI; used to build push endpoints. May be empty."
  type        = map(string)
  default     = {}
}

variable "outside_callers" {
  description = "Caller declared under outsideCallers in the topology (e.g. platform) => e-mails of its service accounts (without serviceAccount:): they receive what the topology lets that caller do (outside_publisher_bindings, outside_invoker_bindings)."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = alltrue(flatten([for c, emails in var.outside_callers : [for e in emails : can(regex("^[^\\s:@]+@[^\\s:@]+$", e))]]))
    error_message = "outside_callers values must be service account e-mails, without the serviceAccount: prefix."
  }
}
