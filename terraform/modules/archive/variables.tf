variable "project_id" {
  description = "Project that owns the buckets."
  type        = string
}

variable "environment" {
  description = "Environment name, used in bucket names and labels."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "bucket_prefix" {
  description = "Globally unique prefix for bucket names (bucket names are global); usually the project id."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,29}$", var.bucket_prefix))
    error_message = "bucket_prefix must be 2-30 lowercase letters, digits or hyphens, starting with a letter or digit."
  }
}

variable "location" {
  description = "Bucket location; keep it compatible with the BigQuery location so exports need no cross-region copy."
  type        = string
}

variable "lock_retention_policy" {
  description = <<-EOT
    Lock the archive's 7-year retention policy (Bucket Lock). WARNING: locking is IRREVERSIBLE. Once locked,
    the retention period can never be shortened or removed, no object can be deleted or overwritten before it
    is 7 years old, and the bucket itself cannot be deleted while it holds such objects, not even by Terraform
    or a project owner. Lock only after a reviewed change, in the environment that holds regulated records.
  EOT
  type        = bool
  default     = false
}

variable "coldline_after_days" {
  description = "Age in days at which archived objects move from STANDARD to COLDLINE."
  type        = number
  default     = 30

  validation {
    condition     = var.coldline_after_days >= 1
    error_message = "coldline_after_days must be at least 1 day."
  }
}

variable "archive_after_days" {
  description = "Age in days at which archived objects move from COLDLINE to ARCHIVE."
  type        = number
  default     = 365

  validation {
    condition     = var.archive_after_days > 0
    error_message = "archive_after_days must be positive."
  }
}

variable "delete_after_retention" {
  description = "Delete archived objects once the 7-year retention period has passed (lifecycle Delete at 2557 days)."
  type        = bool
  default     = true
}

variable "soft_delete_days" {
  description = "Soft-delete window of the archive bucket in days (7-90): deleted objects stay restorable this long."
  type        = number
  default     = 30

  validation {
    condition     = var.soft_delete_days >= 7 && var.soft_delete_days <= 90
    error_message = "soft_delete_days must be between 7 and 90."
  }
}

variable "staging_ttl_days" {
  description = "Days an export file may stay in the un-locked staging bucket before lifecycle deletes it."
  type        = number
  default     = 7

  validation {
    condition     = var.staging_ttl_days >= 1 && var.staging_ttl_days <= 30
    error_message = "staging_ttl_days must be between 1 and 30."
  }
}

variable "writers" {
  description = "Function name => service account email of the functions that export to staging and copy into the archive. Keyed by name so plans do not wait for emails."
  type        = map(string)
  default     = {}
}

variable "force_destroy_staging" {
  description = "Allow Terraform to delete the staging bucket with its (transient) contents."
  type        = bool
  default     = true
}
