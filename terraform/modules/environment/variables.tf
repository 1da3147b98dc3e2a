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
  description = "Function name (or \"*\" for all) => non-secret settings its configuration requires outside local (e.g. NOTIFY_EMAIL_FROM, PERSONA_INQUIRY_TEMPLATE_ID); \"{url:<function>}\" becomes that function's URL. Secrets come from Secret Manager, never from here. The settings rendered from their own variables (case_sla_hours, compliance_case_roles, compliance_auditors_see_personal_data) and the callers settings (RISK_CHECK_CALLERS, SCREEN_TRANSACTION_CALLERS: from platform_service_accounts, api_invokers and screen_transaction_callers) are not set here."
  type        = map(map(string))
  default     = {}
  nullable    = false

  validation {
    condition = alltrue(flatten([
      for f, env in var.function_environment : [
        for k in keys(env) : !contains(["CASE_SLA_HOURS", "SCREEN_TRANSACTION_CALLERS", "COMPLIANCE_CASES_ROLES", "COMPLIANCE_AUDITORS_SEE_PERSONAL_DATA", "RISK_CHECK_CALLERS"], k)
      ]
    ]))
    error_message = "function_environment must not set CASE_SLA_HOURS, SCREEN_TRANSACTION_CALLERS, COMPLIANCE_CASES_ROLES, COMPLIANCE_AUDITORS_SEE_PERSONAL_DATA or RISK_CHECK_CALLERS: set case_sla_hours, compliance_case_roles and compliance_auditors_see_personal_data instead, and name the callers of checkRisk and screenTransaction in platform_service_accounts (or api_invokers): their run.invoker members are their callers settings."
  }
}

variable "platform_service_accounts" {
  description = "E-mails of the lending platform's service accounts (the topology's outsideCallers.platform): they may publish to the topics the topology lists under its publishes (roles/pubsub.publisher: portfolio.positions.v1, compliance.transactions.v1) and call the functions under its invokes (run.invoker on checkRisk and screenTransaction, and those functions' own caller checks, RISK_CHECK_CALLERS and SCREEN_TRANSACTION_CALLERS). Empty: the platform may do none of it (and checkRisk and screenTransaction, whom nobody else may call, refuse to start outside local)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.platform_service_accounts : can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\\.iam\\.gserviceaccount\\.com$", e))])
    error_message = "platform_service_accounts must be service account e-mails (<name>@<project>.iam.gserviceaccount.com), without the serviceAccount: prefix."
  }
}

variable "screen_transaction_callers" {
  description = "Former input, kept working: e-mails of further service accounts that call screenTransaction (its synchronous AML check): they receive run.invoker on it and so are in its SCREEN_TRANSACTION_CALLERS. The lending platform's go in platform_service_accounts, which covers screenTransaction and checkRisk."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.screen_transaction_callers : can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\\.iam\\.gserviceaccount\\.com$", e))])
    error_message = "screen_transaction_callers must be service account e-mails (<name>@<project>.iam.gserviceaccount.com), without the serviceAccount: prefix."
  }
}

variable "compliance_case_roles" {
  description = "The compliance case tool's users: Google account e-mail => roles (officer, senior_officer, auditor), rendered as complianceCases' COMPLIANCE_CASES_ROLES (a@x=officer|senior_officer;b@y=auditor). Nobody listed: nobody may use the tool."
  type        = map(list(string))
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for who in keys(var.compliance_case_roles) : can(regex("^[^\\s@=;|,]+@[^\\s@=;|,]+$", who))])
    error_message = "compliance_case_roles keys must be e-mail addresses (no spaces, =, ; or |)."
  }
  validation {
    condition = alltrue([
      for roles in values(var.compliance_case_roles) :
      length(roles) > 0 && alltrue([for r in roles : contains(["officer", "senior_officer", "auditor"], r)])
    ])
    error_message = "compliance_case_roles values must be non-empty lists of officer, senior_officer and auditor."
  }
}

variable "compliance_auditors_see_personal_data" {
  description = "Whether auditors in the compliance case tool see a case's decrypted personal data (COMPLIANCE_AUDITORS_SEE_PERSONAL_DATA); officers always may."
  type        = bool
  default     = false
  nullable    = false
}

variable "case_sla_hours" {
  description = "Compliance case deadline per alert severity, in hours (CASE_SLA_HOURS of the functions that open and work cases); a severity left out keeps the code's default."
  type        = map(number)
  default = {
    CRITICAL = 4
    WARNING  = 24
    INFO     = 72
  }
  nullable = false

  validation {
    condition     = alltrue([for s in keys(var.case_sla_hours) : contains(["CRITICAL", "WARNING", "INFO"], s)])
    error_message = "case_sla_hours keys must be CRITICAL, WARNING or INFO."
  }
  validation {
    condition     = alltrue([for h in values(var.case_sla_hours) : h > 0 && h <= 8760])
    error_message = "case_sla_hours values must be hours in (0, 8760]."
  }
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
  description = "Domain names the risk dashboard is served on through the same load balancer (e.g. [\"risk.example.com\"]); riskApi's RISK_API_ALLOWED_ORIGINS and complianceCases' COMPLIANCE_CASES_ALLOWED_ORIGINS must list https://<domain>. Empty: no dashboard."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "edge_dns_zone" {
  description = "Cloud DNS managed zone of this project that serves edge_domains, to create their A records in; null when DNS is managed elsewhere."
  type        = string
  default     = null
}

variable "pagerduty_channel" {
  description = "Name of a PagerDuty notification channel of this project (projects/<project>/notificationChannels/<id>), created once out of band with the integration key (which never goes through Terraform): CRITICAL alerts (dead letters, fast SLO burn, an endpoint down) page it too. null: email only."
  type        = string
  default     = null
}

variable "service_levels" {
  description = "SLO targets (modules/monitoring validates them and holds the defaults an attribute left unset gets): window_days (7), availability_goal of every function (0.995), latency (function => { threshold_ms, goal }; personaWebhook 1000 ms at 0.95), price_to_alert_ms (60000) and price_to_alert_goal (0.99)."
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
  default  = {}
  nullable = false
}
