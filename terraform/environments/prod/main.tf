# Fusion Risk, prod environment: a thin root. The three environments differ only in the literal below and in
# terraform.tfvars; everything else comes from the modules, which read the topology and the generated schemas.

locals {
  environment = "prod"

  topology_path = "${path.module}/../../../functions/topology.json"
  tables_path   = "${path.module}/../../generated/bigquery-tables.json"
  bundle_dir    = "${path.module}/../../../dist/functions"
}

module "project" {
  source = "../../modules/project"

  project_id = var.project_id
  firestore = {
    create            = var.create_firestore_database
    location_id       = var.firestore_location
    delete_protection = var.deletion_protection
  }
}

module "secrets" {
  source = "../../modules/secrets"

  project_id    = module.project.project_id
  environment   = local.environment
  topology_path = local.topology_path
}

module "warehouse" {
  source = "../../modules/warehouse"

  project_id                  = module.project.project_id
  environment                 = local.environment
  tables_path                 = local.tables_path
  location                    = var.bigquery_location
  hot_retention_days          = 90
  deletion_protection         = var.deletion_protection
  mv_refresh_interval_minutes = var.mv_refresh_interval_minutes
}

module "archive" {
  source = "../../modules/archive"

  project_id            = module.project.project_id
  environment           = local.environment
  bucket_prefix         = var.project_id
  location              = var.storage_location
  lock_retention_policy = var.lock_archive_retention
  writers               = module.functions.archive_writer_emails
}

module "functions" {
  source = "../../modules/functions"

  project_id            = module.project.project_id
  region                = var.region
  environment           = local.environment
  topology_path         = local.topology_path
  tables_path           = local.tables_path
  bundle_dir            = local.bundle_dir
  bucket_prefix         = var.project_id
  topic_ids             = module.pubsub.topic_ids
  secret_ids            = module.secrets.secret_ids
  dataset_ids           = module.warehouse.dataset_ids
  bigquery_location     = var.bigquery_location
  min_instances         = var.min_instances
  max_instances         = var.max_instances
  pause_schedules       = var.pause_schedules
  build_service_account = var.build_service_account

  extra_environment = {
    ARCHIVE_BUCKET         = module.archive.archive_bucket
    ARCHIVE_STAGING_BUCKET = module.archive.export_staging_bucket
    HOT_RETENTION_DAYS     = tostring(module.warehouse.hot_retention_days)
  }
}

module "pubsub" {
  source = "../../modules/pubsub"

  project_id                 = module.project.project_id
  environment                = local.environment
  topology_path              = local.topology_path
  function_uris              = module.functions.function_uris
  push_service_account_email = module.functions.invoker_email
}
