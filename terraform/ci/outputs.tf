output "repository" {
  description = "Resource name of the repository link in the GitHub connection."
  value       = module.ci.repository
}

output "triggers" {
  description = "Trigger name => { id, apply_env, approval_required }."
  value       = module.ci.triggers
}
