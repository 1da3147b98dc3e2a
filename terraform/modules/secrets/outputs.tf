output "secret_ids" {
  description = "Secret name => secret_id (short name), for secret_environment_variables and IAM."
  value       = { for k, s in google_secret_manager_secret.this : k => s.secret_id }
}

output "secret_resource_names" {
  description = "Secret name => full resource name (projects/<number>/secrets/<name>)."
  value       = { for k, s in google_secret_manager_secret.this : k => s.name }
}
