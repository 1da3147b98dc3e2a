# The inputs of one environment, as each root's terraform.tfvars sets them. Optional inputs are not nullable: a
# root passes null for a value its terraform.tfvars leaves unset, and the default below applies. Values the called
# modules validate themselves (refresh interval, instance counts) are checked there, once.

variable "environment" {
  description = "Environment name (dev, staging, prod): used in resource names, labels and the functions' ENVIRONMENT."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "project_id" {
  description = "Google Cloud project of this environment; also the prefix of its globally unique bucket names."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid Google Cloud project id (6-30 lowercase letters, digits, hyphens)."
  }
}

variable "region" {
  description = "Region of the functions, Scheduler jobs and function source bucket."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west1."
  }
}

variable "bigquery_location" {
  description = "BigQuery location of the warehouse datasets (multi-region such as EU or US, or a region)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]*$", var.bigquery_location))
    error_message = "bigquery_location must be a BigQuery location such as EU, US or europe-west1."
  }
}

variable "storage_location" {
  description = "Location of the archive and BigQuery export buckets (compatible with bigquery_location)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]*$", var.storage_location))
    error_message = "storage_location must be a Cloud Storage location such as EU, US or europe-west1."
  }
}

variable "firestore_location" {
  description = "Location of the (default) Firestore database (a multi-region such as eur3 or a region)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[0-9]$", var.firestore_location))
    error_message = "firestore_location must be a Firestore location such as eur3, nam5 or europe-west1."
  }
}

variable "create_firestore_database" {
  description = "Create the (default) Firestore database (false when the project already has one)."
  type        = bool
  default     = true
  nullable    = false
}

variable "deletion_protection" {
  description = "Protect BigQuery tables and the Firestore database from deletion by Terraform (each environment chooses)."
  type        = bool
  nullable    = false
}

variable "lock_archive_retention" {
  description = "Lock the archive bucket's 7-year retention policy. IRREVERSIBLE: see modules/archive."
  type        = bool
  default     = false
  nullable    = false
}

variable "mv_refresh_interval_minutes" {
  description = "Automatic refresh bound of risk.recent_portfolio_exposures_mv, in minutes."
  type        = number
  default     = 30
  nullable    = false
}

variable "min_instances" {
  description = "Function name (topology key) => minimum warm instances. Unlisted functions scale to zero."
  type        = map(number)
  default     = {}
  nullable    = false
}

variable "max_instances" {
  description = "Function name (topology key) => maximum instances; others get the functions module's default."
  type        = map(number)
  default     = {}
  nullable    = false
}

variable "pause_schedules" {
  description = "Create the Scheduler jobs paused."
  type        = bool
  default     = false
  nullable    = false
}

variable "build_service_account" {
  description = "Service account for Cloud Functions builds (projects/<p>/serviceAccounts/<email>); null uses the default."
  type        = string
  default     = null

  validation {
    condition = (
      var.build_service_account == null
      || can(regex("^projects/[^/]+/serviceAccounts/[^/]+@[^/]+$", var.build_service_account))
    )
    error_message = "build_service_account must be projects/<project>/serviceAccounts/<email>, or null."
  }
}

variable "alert_emails" {
  description = "Email addresses notified of this environment's alerts (dead letters, function errors, notification success)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "function_environment" {
  description = "Function name (or \"*\" for all) => non-secret settings its configuration requires outside local (e.g. NOTIFY_EMAIL_FROM, PERSONA_INQUIRY_TEMPLATE_ID); \"{url:<function>}\" becomes that function's URL. Secrets come from Secret Manager, never from here."
  type        = map(map(string))
  default     = {}
  nullable    = false
}

variable "api_invokers" {
  description = "HTTP API function (e.g. startKyc, notificationPreferences) => IAM members allowed to call it (serviceAccount:..., group:...)."
  type        = map(list(string))
  default     = {}
  nullable    = false
}

variable "edge_domains" {
  description = "Domain names the HTTPS load balancer serves the public functions on, e.g. [\"hooks.example.com\"]: each needs an A record to the edge_ip_address output (created when edge_dns_zone is set), and the Persona webhook URL is https://<first domain>/persona-webhook (the public_endpoints output)."
  type        = list(string)
  nullable    = false
}

variable "dashboard_domains" {
  description = "Domain names the risk dashboard is served on through the same load balancer (e.g. [\"risk.example.com\"]); riskApi's RISK_API_ALLOWED_ORIGINS must list https://<domain>. Empty: no dashboard."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "edge_dns_zone" {
  description = "Cloud DNS managed zone of this project that serves edge_domains, to create their A records in; null when DNS is managed elsewhere."
  type        = string
  default     = null
}
