output "repository" {
  description = "Resource name of the repository link (projects/<p>/locations/<region>/connections/<c>/repositories/<name>)."
  value       = google_cloudbuildv2_repository.this.id
}

output "triggers" {
  description = "Trigger name => { id, apply_env, approval_required }."
  value = {
    for name, t in google_cloudbuild_trigger.this : name => {
      id                = t.trigger_id
      apply_env         = local.triggers[name].apply_env
      approval_required = local.triggers[name].approval_required
    }
  }
}
