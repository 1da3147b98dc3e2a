variable "project_id" {
  description = "Project the functions run in."
  type        = string
}

variable "region" {
  description = "Region of the functions (and, unless scheduler_region is set, of the Scheduler jobs)."
  type        = string
}

variable "environment" {
  description = "Environment name: passed to the functions as ENVIRONMENT and used in names and labels."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "topology_path" {
  description = "Path to shared/contracts/topology.json: one Cloud Function per entry under functions."
  type        = string

  validation {
    condition     = fileexists(var.topology_path)
    error_message = "topology_path must point at an existing shared/contracts/topology.json."
  }
}

variable "tables_path" {
  description = "Path to terraform/generated/bigquery-tables.json, to map warehouse access to datasets."
  type        = string

  validation {
    condition     = fileexists(var.tables_path)
    error_message = "tables_path must point at terraform/generated/bigquery-tables.json; run `npm run gen`."
  }
}

variable "views_path" {
  description = "Path to shared/contracts/warehouse-views.json: the function that refreshes materialized views gets dataEditor on their dataset."
  type        = string

  validation {
    condition     = fileexists(var.views_path)
    error_message = "views_path must point at an existing shared/contracts/warehouse-views.json."
  }
}

variable "bundle_dir" {
  description = "Directory holding <folder>.zip for every function, as written by `npm run bundle` (dist/functions)."
  type        = string
}

variable "bucket_prefix" {
  description = "Globally unique prefix for the source bucket name; usually the project id."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,29}$", var.bucket_prefix))
    error_message = "bucket_prefix must be 2-30 lowercase letters, digits or hyphens."
  }
}

variable "topic_ids" {
  description = "Topic name => topic id, from the pubsub module; each function may publish only to the topics the topology lists for it."
  type        = map(string)
}

variable "secret_ids" {
  description = "Secret name => Secret Manager secret id, from the secrets module."
  type        = map(string)
}

variable "dataset_ids" {
  description = "Dataset name => BigQuery dataset id, from the warehouse module."
  type        = map(string)
}

variable "warehouse_tables" {
  description = "Table key (dataset.table, as in the generated file) => { dataset_id, table_id }, from the warehouse module: BigQuery data grants are made per table."
  type = map(object({
    dataset_id = string
    table_id   = string
  }))
}

variable "bigquery_location" {
  description = "BigQuery location, passed to the functions as BIGQUERY_LOCATION."
  type        = string
}

variable "min_instances" {
  description = "Function name (topology key) => minimum warm instances. Unlisted functions scale to zero."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for n in values(var.min_instances) : n >= 0 && n <= 100])
    error_message = "min_instances values must be between 0 and 100."
  }
}

variable "max_instances" {
  description = "Function name (topology key) => maximum instances, overriding default_max_instances."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for n in values(var.max_instances) : n >= 1])
    error_message = "max_instances values must be at least 1."
  }
}

variable "default_max_instances" {
  description = "Maximum instances of a function without an entry in max_instances."
  type        = number
  default     = 20

  validation {
    condition     = var.default_max_instances >= 1
    error_message = "default_max_instances must be at least 1."
  }
}

variable "internal_ingress" {
  description = "Ingress of functions that only Pub/Sub and Cloud Scheduler call. Both count as internal sources for Cloud Run when in the same project; ALLOW_ALL still requires the invoker's OIDC token."
  type        = string
  default     = "ALLOW_INTERNAL_ONLY"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.internal_ingress)
    error_message = "internal_ingress must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "api_ingress" {
  description = "Ingress of HTTP API functions (not pushed to, scheduled or public), which callers outside the project use; authentication is still required (run.invoker for api_invokers only)."
  type        = string
  default     = "ALLOW_ALL"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.api_ingress)
    error_message = "api_ingress must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "api_invokers" {
  description = "HTTP API function (topology key) => IAM members allowed to call it (e.g. serviceAccount:lending-platform@<project>.iam.gserviceaccount.com). Never allUsers: public functions are marked in the topology."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = alltrue(flatten([for f, ms in var.api_invokers : [for m in ms : can(regex("^(serviceAccount|group|user|domain|principal|principalSet):.+", m))]]))
    error_message = "api_invokers members must be IAM members such as serviceAccount:<email> or group:<email> (allUsers and allAuthenticatedUsers are refused)."
  }
}

variable "outside_callers" {
  description = "Caller declared under outsideCallers in the topology (e.g. platform) => e-mails of its service accounts: each holds run.invoker on the functions the topology lists under that caller's invokes and is in their callers setting (topology callersSetting)."
  type        = map(list(string))
  default     = {}
}

variable "build_service_account" {
  description = "Service account Cloud Build uses to build the functions (projects/<p>/serviceAccounts/<email>); null uses the project default."
  type        = string
  default     = null
}

variable "kms_keys" {
  description = "Cloud KMS key name => { id, env_var }, from the kms module: a function that encrypts or decrypts with a key receives its id in env_var."
  type = map(object({
    id      = string
    env_var = string
  }))
  default = {}
}

variable "function_environment" {
  description = "Function name (topology key, or \"*\" for every function) => non-secret settings its configuration needs (e.g. NOTIFY_EMAIL_FROM). A value \"{url:<function>}\" becomes that function's URL (e.g. an ID-token audience). Secrets never go here: they are Secret Manager references from the topology."
  type        = map(map(string))
  default     = {}

  validation {
    condition     = alltrue(flatten([for f, env in var.function_environment : [for k in keys(env) : can(regex("^[A-Z][A-Z0-9_]*$", k))]]))
    error_message = "function_environment variable names must be upper case letters, digits and underscores."
  }
  validation {
    condition     = alltrue(flatten([for f, env in var.function_environment : [for k in keys(env) : !can(regex("(SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE)", k))]]))
    error_message = "function_environment must not carry secrets (names with SECRET, PASSWORD, TOKEN, API_KEY, PRIVATE): declare them under the function's secrets in the topology."
  }
}

variable "extra_environment" {
  description = "Additional non-secret environment variables for every function (e.g. bucket names). Never put secrets here: secrets come from Secret Manager references."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.extra_environment) : can(regex("^[A-Z][A-Z0-9_]*$", k))])
    error_message = "Environment variable names must be upper case letters, digits and underscores."
  }
}

variable "pause_schedules" {
  description = "Create the Cloud Scheduler jobs paused (e.g. in an environment nobody watches)."
  type        = bool
  default     = false
}

variable "scheduler_region" {
  description = "Region of the Cloud Scheduler jobs; null uses var.region."
  type        = string
  default     = null
}

variable "scheduler_retry" {
  description = "Retry of a failed scheduled call. Every-minute jobs gain little from retrying a missed tick; keep it short."
  type = object({
    retry_count          = optional(number, 1)
    max_retry_duration   = optional(string, "0s")
    min_backoff_duration = optional(string, "5s")
    max_backoff_duration = optional(string, "30s")
    max_doublings        = optional(number, 2)
  })
  default = {}

  validation {
    condition     = var.scheduler_retry.retry_count >= 0 && var.scheduler_retry.retry_count <= 5
    error_message = "scheduler_retry.retry_count must be between 0 and 5."
  }
}
