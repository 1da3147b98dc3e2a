# Project-level prerequisites of one environment: the APIs every other module uses, and the Firestore
# database the functions keep their idempotency and state documents in.

resource "google_project_service" "this" {
  for_each = var.services

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_firestore_database" "default" {
  count = var.firestore.create ? 1 : 0

  project                 = var.project_id
  name                    = "(default)"
  location_id             = var.firestore.location_id
  type                    = "FIRESTORE_NATIVE"
  concurrency_mode        = "OPTIMISTIC"
  delete_protection_state = var.firestore.delete_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  # Seven days of point-in-time recovery: a bad deploy or a wrong script that rewrites cases, margin states or
  # outboxes can be read back as of before it ran.
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  # Keep the data if the resource is ever removed from Terraform; deleting a database is a manual act.
  deletion_policy = "ABANDON"

  depends_on = [google_project_service.this]
}

# TTL policies for idempotency records. The field is exempt from single-field indexing: nothing queries it, and an
# index on an ever-increasing timestamp would be a write hotspot.
resource "google_firestore_field" "ttl" {
  for_each = var.firestore_ttl == null ? toset([]) : var.firestore_ttl.collections

  project    = var.project_id
  database   = "(default)"
  collection = each.value
  field      = var.firestore_ttl.field

  ttl_config {}
  index_config {}

  depends_on = [google_firestore_database.default]
}

# Large values nothing queries (the portfolio views' JSON text, rewritten every tick): an empty index_config
# removes the single-field indexes Firestore would otherwise build and update on every write.
resource "google_firestore_field" "unindexed" {
  for_each = { for f in var.firestore_unindexed_fields : "${f.collection}.${f.field}" => f }

  project    = var.project_id
  database   = "(default)"
  collection = each.value.collection
  field      = each.value.field

  index_config {}

  depends_on = [google_firestore_database.default]
}

# Composite indexes the functions' queries need (riskApi's per-desk updates); a query without its index fails in
# production while the emulator answers it, so they are declared with the collection names and created here.
resource "google_firestore_index" "composite" {
  for_each = { for i in var.firestore_indexes : "${i.collection}:${join(",", [for f in i.fields : f.field])}" => i }

  project     = var.project_id
  database    = "(default)"
  collection  = each.value.collection
  query_scope = "COLLECTION"

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = fields.value.field
      order      = fields.value.order
    }
  }

  depends_on = [google_firestore_database.default]
}
