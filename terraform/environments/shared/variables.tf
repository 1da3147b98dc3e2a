# What terraform.tfvars sets, passed through to modules/environment, which validates every value. An optional
# value left unset here is null, and the environment module applies its default.

variable "project_id" {
  description = "Google Cloud project of this environment."
  type        = string
}

variable "region" {
  description = "Region of the functions, Scheduler jobs and function source bucket."
  type        = string
}

variable "bigquery_location" {
  description = "BigQuery location of the warehouse datasets."
  type        = string
}

variable "storage_location" {
  description = "Location of the archive and BigQuery export buckets (compatible with bigquery_location)."
  type        = string
}

variable "firestore_location" {
  description = "Location of the (default) Firestore database."
  type        = string
}

variable "create_firestore_database" {
  description = "Create the (default) Firestore database (false when the project already has one)."
  type        = bool
  default     = null
}

variable "deletion_protection" {
  description = "Protect BigQuery tables and the Firestore database from deletion by Terraform."
  type        = bool
}

variable "lock_archive_retention" {
  description = "Lock the archive bucket's 7-year retention policy. IRREVERSIBLE: see modules/archive."
  type        = bool
  default     = null
}

variable "mv_refresh_interval_minutes" {
  description = "Automatic refresh bound of risk.recent_portfolio_exposures_mv, in minutes."
  type        = number
  default     = null
}

variable "min_instances" {
  description = "Function name => minimum warm instances."
  type        = map(number)
  default     = null
}

variable "max_instances" {
  description = "Function name => maximum instances."
  type        = map(number)
  default     = null
}

variable "pause_schedules" {
  description = "Create the Scheduler jobs paused."
  type        = bool
  default     = null
}

variable "build_service_account" {
  description = "Service account for Cloud Functions builds (projects/<p>/serviceAccounts/<email>); null uses the default."
  type        = string
  default     = null
}

variable "alert_emails" {
  description = "Email addresses notified of this environment's alerts."
  type        = list(string)
  default     = null
}

variable "function_environment" {
  description = "Function name (or \"*\") => non-secret settings its configuration requires outside local."
  type        = map(map(string))
  default     = null
}

variable "platform_service_accounts" {
  description = "E-mails of the lending platform's service accounts: publisher on the topics and run.invoker (and the callers settings) on the functions the topology's outsideCallers.platform lists."
  type        = list(string)
  default     = null
}

variable "screen_transaction_callers" {
  description = "Former input, kept working: e-mails of further service accounts that call screenTransaction (run.invoker and so SCREEN_TRANSACTION_CALLERS); the platform's go in platform_service_accounts."
  type        = list(string)
  default     = null
}

variable "compliance_case_roles" {
  description = "The compliance case tool's users: e-mail => roles (officer, senior_officer, auditor)."
  type        = map(list(string))
  default     = null
}

variable "compliance_auditors_see_personal_data" {
  description = "Whether auditors in the compliance case tool see decrypted personal data."
  type        = bool
  default     = null
}

variable "case_sla_hours" {
  description = "Compliance case deadline per alert severity (CRITICAL, WARNING, INFO), in hours."
  type        = map(number)
  default     = null
}

variable "api_invokers" {
  description = "HTTP API function => IAM members allowed to call it."
  type        = map(list(string))
  default     = null
}

variable "edge_domains" {
  description = "Domain names the HTTPS load balancer serves the public functions on (A records to the edge_ip_address output)."
  type        = list(string)
}

variable "edge_dns_zone" {
  description = "Cloud DNS managed zone of this project that serves edge_domains (its A records are created there); null if DNS is elsewhere."
  type        = string
  default     = null
}

variable "dashboard_domains" {
  description = "Domain names the risk dashboard is served on through the load balancer; riskApi's RISK_API_ALLOWED_ORIGINS lists https://<domain>. Empty: no dashboard."
  type        = list(string)
  default     = []
}

variable "pagerduty_channel" {
  description = "PagerDuty notification channel (projects/<project>/notificationChannels/<id>), created out of band with the integration key: CRITICAL alerts page it; null: email only."
  type        = string
  default     = null
}

variable "service_levels" {
  description = "SLO targets (window_days, availability_goal, latency per function, price_to_alert_ms, price_to_alert_goal); an attribute left unset keeps modules/monitoring's default."
  type = object({
    window_days       = optional(number)
    availability_goal = optional(number)
    latency = optional(map(object({
      threshold_ms = number
      goal         = number
    })))
    price_to_alert_ms   = optional(number)
    price_to_alert_goal = optional(number)
  })
  default = null
}
