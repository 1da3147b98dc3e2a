# One Fusion Risk environment: every module wired together. The roots under terraform/environments/<env> only
# configure the provider and the state backend and pass their terraform.tfvars through; what an environment is
# made of is written once, here, and the modules read the topology and the generated schemas.

locals {
  # Anchored at the root module (terraform/environments/<env>, where terraform runs), as when the roots held this
  # wiring: the strings Terraform records (the bundle objects' source) stay as they were.
  topology_path        = "${path.root}/../../../shared/contracts/topology.json"
  tables_path          = "${path.root}/../../generated/bigquery-tables.json"
  views_path           = "${path.root}/../../../shared/contracts/warehouse-views.json"
  generated_views_path = "${path.root}/../../generated/bigquery-views.json"
  retention_path       = "${path.root}/../../../shared/contracts/retention.json"
  firestore_path       = "${path.root}/../../../shared/contracts/firestore.json"
  bundle_dir           = "${path.root}/../../../dist/functions"

  # Idempotency records Firestore deletes by TTL (declared beside the code's collection names).
  firestore_ttl = try(jsondecode(file(local.firestore_path)).ttl, null)
  # Composite indexes the code's queries need, declared beside the collection names too.
  firestore_indexes = try(jsondecode(file(local.firestore_path)).indexes.list, [])
  # Fields exempt from single-field indexing: large values nothing queries.
  firestore_unindexed = try(jsondecode(file(local.firestore_path)).unindexed.list, [])

  # Data lifecycle, from the file the functions' operations configuration reads too: partitions expire after
  # hot_retention_days; archiveColdData exports (verifies, then deletes) those older than archive_after_days.
  retention          = jsondecode(file(local.retention_path))
  hot_retention_days = local.retention.hotRetentionDays
  archive_after_days = local.retention.archiveAfterDays

  # Settings rendered from typed variables validated below (the rest of each function's settings come from
  # function_environment as written), in the formats the code's configuration readers parse
  # (shared/platform/config/screen-transaction.ts and cases.ts).
  #   CASE_SLA_HOURS: the case deadlines, read by every function that opens or works cases (the same everywhere).
  case_sla_hours = join(",", [
    for s in ["CRITICAL", "WARNING", "INFO"] : "${s}=${var.case_sla_hours[s]}" if contains(keys(var.case_sla_hours), s)
  ])
  rendered_environment = {
    evaluateAml    = { CASE_SLA_HOURS = local.case_sla_hours }
    personaWebhook = { CASE_SLA_HOURS = local.case_sla_hours }
    watchCases     = { CASE_SLA_HOURS = local.case_sla_hours }
    # Its SCREEN_TRANSACTION_CALLERS (like checkRisk's RISK_CHECK_CALLERS) is rendered by the functions module from
    # whoever holds run.invoker on it: below.
    screenTransaction = { CASE_SLA_HOURS = local.case_sla_hours }
    complianceCases = {
      CASE_SLA_HOURS = local.case_sla_hours
      # officer@bank.com=officer|senior_officer;audit@bank.com=auditor
      COMPLIANCE_CASES_ROLES = join(";", [
        for who in sort(keys(var.compliance_case_roles)) : "${who}=${join("|", distinct(var.compliance_case_roles[who]))}"
      ])
      COMPLIANCE_AUDITORS_SEE_PERSONAL_DATA = tostring(var.compliance_auditors_see_personal_data)
    }
  }
  function_environment = {
    for f in distinct(concat(keys(var.function_environment), keys(local.rendered_environment))) :
    f => merge(lookup(var.function_environment, f, {}), lookup(local.rendered_environment, f, {}))
  }

  # Callers outside this system, keyed as the topology's "outsideCallers", which says what each may do (the
  # platform: publish positions and transactions, call checkRisk and screenTransaction). The modules grant it to
  # these service accounts: publisher on the topics (pubsub), run.invoker on the functions and their callers
  # setting (functions: RISK_CHECK_CALLERS, SCREEN_TRANSACTION_CALLERS), so IAM and each function's own check agree.
  outside_callers = {
    platform = var.platform_service_accounts
  }

  # Former input, kept working: screen_transaction_callers adds run.invoker on screenTransaction (and so its
  # SCREEN_TRANSACTION_CALLERS) for service accounts that are not the platform's. platform_service_accounts covers it.
  rendered_invokers = {
    screenTransaction = [for e in var.screen_transaction_callers : "serviceAccount:${e}"]
  }
  api_invokers = {
    for f in distinct(concat(keys(var.api_invokers), [for f, members in local.rendered_invokers : f if length(members) > 0])) :
    f => distinct(concat(lookup(var.api_invokers, f, []), lookup(local.rendered_invokers, f, [])))
  }
}

check "archive_before_expiry" {
  assert {
    condition     = local.archive_after_days + local.retention.minArchiveMarginDays <= local.hot_retention_days
    error_message = "Partitions must be archived at least ${local.retention.minArchiveMarginDays} days before they expire (archive after ${local.archive_after_days} d, expire after ${local.hot_retention_days} d)."
  }
}

module "project" {
  source = "../project"

  project_id = var.project_id
  firestore = {
    create            = var.create_firestore_database
    location_id       = var.firestore_location
    delete_protection = var.deletion_protection
  }
  firestore_ttl = local.firestore_ttl == null ? null : {
    field       = local.firestore_ttl.field
    collections = local.firestore_ttl.collections
  }
  firestore_indexes          = [for i in local.firestore_indexes : { collection = i.collection, fields = i.fields }]
  firestore_unindexed_fields = [for f in local.firestore_unindexed : { collection = f.collection, field = f.field }]
}

module "secrets" {
  source = "../secrets"

  project_id    = module.project.project_id
  environment   = var.environment
  topology_path = local.topology_path
}

module "warehouse" {
  source = "../warehouse"

  project_id                  = module.project.project_id
  environment                 = var.environment
  tables_path                 = local.tables_path
  views_path                  = local.views_path
  generated_views_path        = local.generated_views_path
  location                    = var.bigquery_location
  hot_retention_days          = local.hot_retention_days
  deletion_protection         = var.deletion_protection
  mv_refresh_interval_minutes = var.mv_refresh_interval_minutes
}

module "archive" {
  source = "../archive"

  project_id            = module.project.project_id
  environment           = var.environment
  bucket_prefix         = var.project_id
  location              = var.storage_location
  lock_retention_policy = var.lock_archive_retention
  writers               = module.functions.archive_writer_emails
}

module "kms" {
  source = "../kms"

  project_id  = module.project.project_id
  environment = var.environment
  location    = var.region
  encrypters  = module.functions.kms_encrypters
  decrypters  = module.functions.kms_decrypters
}

module "functions" {
  source = "../functions"

  project_id            = module.project.project_id
  region                = var.region
  environment           = var.environment
  topology_path         = local.topology_path
  tables_path           = local.tables_path
  views_path            = local.views_path
  bundle_dir            = local.bundle_dir
  bucket_prefix         = var.project_id
  topic_ids             = module.pubsub.topic_ids
  secret_ids            = module.secrets.secret_ids
  dataset_ids           = module.warehouse.dataset_ids
  warehouse_tables      = module.warehouse.tables
  kms_keys              = module.kms.keys
  function_environment  = local.function_environment
  api_invokers          = local.api_invokers
  outside_callers       = local.outside_callers
  bigquery_location     = var.bigquery_location
  min_instances         = var.min_instances
  max_instances         = var.max_instances
  pause_schedules       = var.pause_schedules
  build_service_account = var.build_service_account

  extra_environment = {
    ARCHIVE_BUCKET         = module.archive.archive_bucket
    ARCHIVE_STAGING_BUCKET = module.archive.export_staging_bucket
    HOT_RETENTION_DAYS     = tostring(module.warehouse.hot_retention_days)
    ARCHIVE_AFTER_DAYS     = tostring(local.archive_after_days)
  }
}

# The internet-facing functions (topology "public": true), reachable only through this load balancer: its Cloud
# Armor policies refuse compressed, oversized and unsized bodies before they reach a function.
module "edge" {
  source = "../edge"

  project_id        = module.project.project_id
  environment       = var.environment
  region            = var.region
  topology_path     = local.topology_path
  function_names    = module.functions.function_names
  domains           = var.edge_domains
  dashboard_domains = var.dashboard_domains
  dns_zone          = var.edge_dns_zone
}

module "pubsub" {
  source = "../pubsub"

  project_id                 = module.project.project_id
  environment                = var.environment
  topology_path              = local.topology_path
  function_uris              = module.functions.function_uris
  push_service_account_email = module.functions.invoker_email
  outside_callers            = local.outside_callers
}

module "monitoring" {
  source = "../monitoring"

  project_id                = module.project.project_id
  environment               = var.environment
  alert_emails              = var.alert_emails
  functions                 = module.functions.function_folders
  dead_letter_subscriptions = module.pubsub.dead_letter_inspection_subscription_names

  pagerduty_channel = var.pagerduty_channel
  service_levels    = var.service_levels
  # Uptime checks through the load balancer: the public functions' URLs and the dashboard's, when it is served.
  public_endpoints = module.edge.endpoints
  dashboard_url    = length(var.dashboard_domains) > 0 ? "https://${var.dashboard_domains[0]}" : null
}
