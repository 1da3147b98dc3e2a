# Cold tier: data leaves BigQuery after the hot window and is kept 7 years in Cloud Storage.
#
# Two buckets on purpose. BigQuery EXPORT DATA / extract jobs may rewrite or retry files, which fails under a
# retention policy, so exports land in an un-locked, short-lived staging bucket first; the archiving function
# then copies finished files into the retention-locked archive bucket and deletes them from staging.

locals {
  # 7 years in seconds, counting the average Gregorian year (7 x 365.25 d x 86,400 s = 220,903,200 s), so leap
  # days are covered whatever the start date. (7 x 365 d = 220,752,000 s would fall up to two days short.)
  seven_years_seconds = 220903200
  # The same period in whole days, rounded up (7 x 365.25 = 2556.75), for lifecycle ages.
  seven_years_days = 2557

  labels = {
    app         = "fusion-risk"
    environment = var.environment
  }
}

resource "google_storage_bucket" "archive" {
  project                     = var.project_id
  name                        = "${var.bucket_prefix}-fusion-risk-archive-${var.environment}"
  location                    = var.location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Never let Terraform empty the archive.
  force_destroy = false
  labels        = local.labels

  # Object versioning stays off: a bucket cannot combine a retention policy with Object Versioning.
  retention_policy {
    retention_period = local.seven_years_seconds
    # WARNING: true is irreversible (see variable lock_retention_policy).
    is_locked = var.lock_retention_policy
  }

  soft_delete_policy {
    retention_duration_seconds = var.soft_delete_days * 24 * 60 * 60
  }

  lifecycle_rule {
    condition {
      age                   = var.coldline_after_days
      matches_storage_class = ["STANDARD"]
    }
    action {
      type          = "SetStorageClass"
      storage_class = "COLDLINE"
    }
  }

  lifecycle_rule {
    condition {
      age                   = var.archive_after_days
      matches_storage_class = ["COLDLINE"]
    }
    action {
      type          = "SetStorageClass"
      storage_class = "ARCHIVE"
    }
  }

  dynamic "lifecycle_rule" {
    for_each = var.delete_after_retention ? [1] : []
    content {
      # The retention policy already forbids deletion before 7 years; this removes objects once it allows it.
      condition {
        age = local.seven_years_days
      }
      action {
        type = "Delete"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.archive_after_days > var.coldline_after_days
      error_message = "archive_after_days must be later than coldline_after_days."
    }
  }
}

resource "google_storage_bucket" "export_staging" {
  project                     = var.project_id
  name                        = "${var.bucket_prefix}-fusion-risk-export-${var.environment}"
  location                    = var.location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.force_destroy_staging
  labels                      = local.labels

  # No retention policy and no soft delete: BigQuery exports may rewrite files, and transient copies should not
  # linger (or be billed) after deletion.
  soft_delete_policy {
    retention_duration_seconds = 0
  }

  lifecycle_rule {
    condition {
      age = var.staging_ttl_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }
}

# The archiving function exports into staging (create, overwrite, delete) and copies into the archive (create only:
# nothing may overwrite or delete archived objects anyway).
resource "google_storage_bucket_iam_member" "staging_writer" {
  for_each = var.writers

  bucket = google_storage_bucket.export_staging.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${each.value}"
}

resource "google_storage_bucket_iam_member" "archive_creator" {
  for_each = var.writers

  bucket = google_storage_bucket.archive.name
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${each.value}"
}

resource "google_storage_bucket_iam_member" "archive_viewer" {
  for_each = var.writers

  bucket = google_storage_bucket.archive.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${each.value}"
}
