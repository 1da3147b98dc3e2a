# Fusion Risk CI: the Cloud Build triggers of cloudbuild.yaml (modules/ci), in the project the builds run in. Not an
# environment: applied once by hand, and again when a trigger changes, by someone allowed to change the pipeline.

module "ci" {
  source = "../modules/ci"

  project_id           = var.project_id
  region               = var.region
  connection           = var.connection
  repository_uri       = var.repository_uri
  repository_name      = var.repository_name
  service_account      = var.service_account
  plan_service_account = var.plan_service_account
  main_branch          = var.main_branch
  release_branch       = var.release_branch
  substitutions        = var.substitutions
  apply_substitutions  = var.apply_substitutions
  approvers            = var.approvers
}
