variable "project_id" {
  description = "Google Cloud project that hosts one environment of Fusion Risk."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid Google Cloud project id (6-30 lowercase letters, digits, hyphens)."
  }
}

variable "services" {
  description = "APIs the environment needs. Enabled, never disabled on destroy (other tooling may rely on them)."
  type        = set(string)
  default = [
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudkms.googleapis.com",
    "compute.googleapis.com",
    "cloudscheduler.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ]

  validation {
    condition     = alltrue([for s in var.services : endswith(s, ".googleapis.com")])
    error_message = "Every service must be an API name ending in .googleapis.com."
  }
}

variable "firestore" {
  description = <<-EOT
    The (default) Firestore database in Native mode used for idempotency keys, health states and preferences.
    Set create = false when the project already has one (or import it, from an environment root: terraform import
    module.fusion_risk.module.project.google_firestore_database.default[0] projects/<project>/databases/(default)).
  EOT
  type = object({
    create            = optional(bool, true)
    location_id       = string
    delete_protection = optional(bool, true)
  })
}

variable "firestore_ttl" {
  description = <<-EOT
    Firestore TTL policies: in each collection group, documents are deleted once the timestamp in `field` has
    passed (idempotency records; from ttl in shared/contracts/firestore.json). null = none.
  EOT
  type = object({
    field       = string
    collections = set(string)
  })
  default = null

  validation {
    condition     = var.firestore_ttl == null || can(regex("^[A-Za-z_][A-Za-z0-9_]*$", var.firestore_ttl.field))
    error_message = "firestore_ttl.field must be a top-level field name."
  }
}

variable "firestore_indexes" {
  description = "Composite indexes (from indexes in shared/contracts/firestore.json): per collection group, the fields in order with ASCENDING or DESCENDING."
  type = list(object({
    collection = string
    fields = list(object({
      field = string
      order = string
    }))
  }))
  default = []

  validation {
    condition     = alltrue([for i in var.firestore_indexes : length(i.fields) >= 2 && alltrue([for f in i.fields : contains(["ASCENDING", "DESCENDING"], f.order)])])
    error_message = "A composite index has at least two fields, each ASCENDING or DESCENDING."
  }
}

variable "firestore_unindexed_fields" {
  description = "Fields exempt from Firestore's single-field indexes (from unindexed in shared/contracts/firestore.json): large values nothing queries."
  type = list(object({
    collection = string
    field      = string
  }))
  default = []

  validation {
    condition     = alltrue([for f in var.firestore_unindexed_fields : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", f.field))])
    error_message = "An unindexed field is a top-level field name."
  }
}
