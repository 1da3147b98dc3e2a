output "project_id" {
  description = "The project id, available only once the APIs are enabled: reference it (rather than the input) so dependants wait for them."
  value       = var.project_id
  depends_on  = [google_project_service.this, google_firestore_database.default]
}

output "enabled_services" {
  description = "APIs enabled in the project."
  value       = sort([for s in google_project_service.this : s.service])
}

output "firestore_ttl_collections" {
  description = "Collection groups with a TTL policy."
  value       = sort([for f in google_firestore_field.ttl : f.collection])
}
