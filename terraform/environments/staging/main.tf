# Fusion Risk, staging environment: a thin root. The three environments differ only in the literal below, the state
# prefix in backend.tf and terraform.tfvars; what an environment is made of is modules/environment.

module "fusion_risk" {
  source = "../../modules/environment"

  environment = "staging"

  project_id                            = var.project_id
  region                                = var.region
  bigquery_location                     = var.bigquery_location
  storage_location                      = var.storage_location
  firestore_location                    = var.firestore_location
  create_firestore_database             = var.create_firestore_database
  deletion_protection                   = var.deletion_protection
  lock_archive_retention                = var.lock_archive_retention
  mv_refresh_interval_minutes           = var.mv_refresh_interval_minutes
  min_instances                         = var.min_instances
  max_instances                         = var.max_instances
  pause_schedules                       = var.pause_schedules
  build_service_account                 = var.build_service_account
  alert_emails                          = var.alert_emails
  function_environment                  = var.function_environment
  api_invokers                          = var.api_invokers
  platform_service_accounts             = var.platform_service_accounts
  screen_transaction_callers            = var.screen_transaction_callers
  compliance_case_roles                 = var.compliance_case_roles
  compliance_auditors_see_personal_data = var.compliance_auditors_see_personal_data
  case_sla_hours                        = var.case_sla_hours
  edge_domains                          = var.edge_domains
  edge_dns_zone                         = var.edge_dns_zone
  dashboard_domains                     = var.dashboard_domains
  pagerduty_channel                     = var.pagerduty_channel
  service_levels                        = var.service_levels
}
