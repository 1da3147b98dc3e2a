# Cloud Functions gen2: one function per entry of shared/contracts/topology.json, each with its own service account
# and only the roles it needs, plus Cloud Scheduler jobs for the functions that have a schedule.
#
# Every function is an HTTP function. Pub/Sub consumers receive Terraform-owned push subscriptions (see the pubsub
# module) instead of Eventarc triggers, which cannot carry a dead-letter policy. Callers authenticate with the
# environment's invoker service account (OIDC); only functions marked public in the topology accept anonymous
# calls (webhooks that verify their own signatures), and only through the HTTPS load balancer of modules/edge,
# whose Cloud Armor policy refuses compressed and oversized bodies before they reach the function.

module "topology" {
  source = "../topology"

  topology_path   = var.topology_path
  tables_path     = var.tables_path
  views_path      = var.views_path
  outside_callers = var.outside_callers
}

locals {
  functions = module.topology.functions

  # Functions the invoker service account calls: push consumers and scheduled functions.
  invoked = { for name, f in local.functions : name => f if length(f.consumes) > 0 || f.schedule != null }
  public  = { for name, f in local.functions : name => f if f.public }
  # HTTP APIs other services call (neither pushed to, scheduled nor public): reachable from outside the project,
  # but only by the identities in api_invokers and the outside callers the topology lets invoke them (the lending
  # platform's service accounts: outside_callers). Cloud Run checks their ID token. A member named both ways is one
  # binding (same key).
  api = { for name, f in local.functions : name => f if f.trigger == "http" && !f.public && !contains(keys(local.invoked), name) }
  api_invoker_bindings = merge(
    merge([
      for name, members in var.api_invokers : { for m in members : "${name}/${m}" => { function = name, member = m } }
    ]...),
    module.topology.outside_invoker_bindings,
  )
  # A function that checks its callers itself (topology "callersSetting", e.g. checkRisk's RISK_CHECK_CALLERS) gets
  # in that setting the e-mail of every service account that holds run.invoker on it, so its own check admits
  # exactly whom IAM admits. (Members other than service accounts, e.g. a group, pass IAM but not that check.)
  callers_settings = {
    for name, f in local.functions : name => {
      (f.callers_setting) = join(",", sort(distinct([
        for b in values(local.api_invoker_bindings) : trimprefix(b.member, "serviceAccount:")
        if b.function == name && startswith(b.member, "serviceAccount:")
      ])))
    }
    if f.callers_setting != null
  }

  bundles = { for name, f in local.functions : name => "${var.bundle_dir}/${f.folder}.zip" }

  labels = {
    app         = "fusion-risk"
    environment = var.environment
  }

  # Non-secret configuration shared by every function; the config module of the code validates it at cold start.
  base_environment = {
    GOOGLE_CLOUD_PROJECT = var.project_id
    GCP_PROJECT          = var.project_id
    ENVIRONMENT          = var.environment
    WAREHOUSE            = "bigquery"
    BIGQUERY_LOCATION    = var.bigquery_location
    NODE_ENV             = "production"
    NODE_OPTIONS         = "--enable-source-maps"
    LOG_EXECUTION_ID     = "true"
  }

  # The functions' HTTPS URLs, known before they exist (https://<region>-<project>.cloudfunctions.net/<name>).
  function_urls   = { for name, f in local.functions : name => "https://${var.region}-${var.project_id}.cloudfunctions.net/${f.folder}" }
  url_placeholder = "^\\{url:([A-Za-z0-9]+)\\}$"

  # Each function's environment, lowest precedence first: environment-wide extras, operator settings for every
  # function ("*") and for this one (a value "{url:<function>}" becomes that function's URL, e.g. an ID-token
  # audience), then what the platform owns and no setting may override: the base values, the Cloud KMS keys the
  # function encrypts or decrypts with (e.g. KYC_KMS_KEY_NAME), its callers setting and its name.
  environment = {
    for name, f in local.functions : name => merge(
      var.extra_environment,
      {
        for k, v in merge(lookup(var.function_environment, "*", {}), lookup(var.function_environment, name, {})) :
        k => can(regex(local.url_placeholder, v)) ? local.function_urls[regex(local.url_placeholder, v)[0]] : v
      },
      local.base_environment,
      { for k in distinct(concat(f.encrypts, f.decrypts)) : var.kms_keys[k].env_var => var.kms_keys[k].id if contains(keys(var.kms_keys), k) },
      lookup(local.callers_settings, name, {}),
      { FUNCTION_NAME = name },
    )
  }
}

# ---------------------------------------------------------------------------------------------------------------
# Source: dist/functions/<folder>.zip from bin/bundle.mjs, uploaded under a name that is its SHA-256, so a code
# change creates a new object (and a new build and revision) while unchanged code plans no change at all.
# ---------------------------------------------------------------------------------------------------------------

resource "google_storage_bucket" "source" {
  project                     = var.project_id
  name                        = "${var.bucket_prefix}-fusion-risk-fn-src-${var.environment}"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = local.labels
}

resource "google_storage_bucket_object" "source" {
  for_each = local.functions

  bucket       = google_storage_bucket.source.name
  name         = "${each.value.folder}/${fileexists(local.bundles[each.key]) ? filesha256(local.bundles[each.key]) : "missing"}.zip"
  source       = local.bundles[each.key]
  content_type = "application/zip"

  lifecycle {
    precondition {
      condition     = fileexists(local.bundles[each.key])
      error_message = "No bundle for ${each.key} at ${local.bundles[each.key]}: run `npm run bundle` before plan/apply."
    }
  }
}

# ---------------------------------------------------------------------------------------------------------------
# Identities and least-privilege roles
# ---------------------------------------------------------------------------------------------------------------

resource "google_service_account" "fn" {
  for_each = local.functions

  project      = var.project_id
  account_id   = each.value.service_account_id
  display_name = "Fusion Risk ${each.key} (${var.environment})"
  description  = "Runtime identity of the ${each.key} function; holds only the roles that function needs."
}

# The identity Pub/Sub pushes and Cloud Scheduler calls present (OIDC) to the functions.
resource "google_service_account" "invoker" {
  project      = var.project_id
  account_id   = "fr-invoker-${var.environment}"
  display_name = "Fusion Risk invoker (${var.environment})"
  description  = "OIDC identity of Pub/Sub push subscriptions and Cloud Scheduler jobs; may only invoke the functions."
}

# Firestore: idempotency keys, health states, preferences; only for the functions that use it.
resource "google_project_iam_member" "firestore_user" {
  for_each = toset(module.topology.firestore_functions)

  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# Publish only to the topics the topology lists under the function's "publishes".
resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = module.topology.publisher_bindings

  project = var.project_id
  topic   = var.topic_ids[each.value.topic]
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.fn[each.value.function].email}"
}

# Read only the secrets the topology lists under the function's "secrets".
resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = module.topology.secret_bindings

  project   = var.project_id
  secret_id = var.secret_ids[each.value.secret]
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn[each.value.function].email}"
}

# Secrets created at run time (one whsec_ per webhook endpoint) are read by name prefix: a project-level grant
# narrowed by an IAM condition to secrets whose name starts with the prefix, nothing else.
data "google_project" "this" {
  count      = length(module.topology.secret_prefix_bindings) > 0 ? 1 : 0
  project_id = var.project_id
}

resource "google_project_iam_member" "secret_prefix_accessor" {
  for_each = module.topology.secret_prefix_bindings

  project = var.project_id
  role    = "roles/secretmanager.secretAccessor"
  member  = "serviceAccount:${google_service_account.fn[each.value.function].email}"

  condition {
    title       = "secrets-${lower(replace(trimsuffix(each.value.prefix, "_"), "_", "-"))}"
    description = "Only secrets named ${each.value.prefix}*"
    expression  = "resource.name.startsWith(\"projects/${data.google_project.this[0].number}/secrets/${each.value.prefix}\")"
  }
}

# BigQuery data access per TABLE: dataEditor on exactly the tables a function writes (streaming inserts need nothing
# more), dataViewer on exactly those it only reads. A dataset-level grant would let the writer of one table rewrite
# every other table of its dataset (e.g. compliance.kyc_events' writer rewrite compliance.aml_alerts).
resource "google_bigquery_table_iam_member" "warehouse" {
  for_each = module.topology.table_bindings

  project    = var.project_id
  dataset_id = var.warehouse_tables[each.value.table].dataset_id
  table_id   = var.warehouse_tables[each.value.table].table_id
  role       = each.value.role
  member     = "serviceAccount:${google_service_account.fn[each.value.function].email}"
}

# The only dataset-level BigQuery grants, each for a job that needs rights on the dataset itself (the reason is in
# each binding; see modules/topology): the archiving function lists the partitions to archive from
# INFORMATION_SCHEMA.PARTITIONS (metadataViewer: table list and metadata, no rows), and the function that refreshes
# materialized views updates them with its rights on their dataset (dataEditor on that dataset alone).
resource "google_bigquery_dataset_iam_member" "warehouse" {
  for_each = module.topology.dataset_bindings

  project    = var.project_id
  dataset_id = var.dataset_ids[each.value.dataset]
  role       = each.value.role
  member     = "serviceAccount:${google_service_account.fn[each.value.function].email}"
}

# jobUser (project-wide: jobs belong to the project) for the functions that run jobs (queries, DML, exports, view
# refreshes); it grants no data access of its own. Query results land in anonymous datasets owned by the job's
# creator, which need no grant.
resource "google_project_iam_member" "bigquery_job_user" {
  for_each = toset(module.topology.bigquery_job_functions)

  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = "serviceAccount:${google_service_account.fn[each.value].email}"
}

# ---------------------------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  project     = var.project_id
  location    = var.region
  name        = each.value.folder
  description = "Fusion Risk ${each.key} (${each.value.trigger}${each.value.schedule != null ? ", scheduled" : ""})"
  labels      = merge(local.labels, { function = each.value.folder })

  build_config {
    runtime         = "nodejs22"
    entry_point     = each.key
    service_account = var.build_service_account

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source[each.key].name
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    timeout_seconds                  = each.value.timeout_seconds
    min_instance_count               = lookup(var.min_instances, each.key, each.value.min_instances)
    max_instance_count               = lookup(var.max_instances, each.key, var.default_max_instances)
    max_instance_request_concurrency = each.value.concurrency
    # Cloud Run serves more than one request at a time only with at least one whole vCPU.
    available_cpu                  = each.value.concurrency > 1 ? "1" : null
    ingress_settings               = each.value.public ? "ALLOW_INTERNAL_AND_GCLB" : contains(keys(local.api), each.key) ? var.api_ingress : var.internal_ingress
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.fn[each.key].email

    # Non-secret configuration only; Cloud KMS keys reach only the functions that encrypt or decrypt with them.
    environment_variables = local.environment[each.key]

    # No secret_environment_variables: the code reads each secret from Secret Manager by name (cached a few
    # minutes, so a rotation needs no redeploy); copies in the environment would outlive a rotation and leak
    # into anything that dumps the environment.
  }

  # A deployment with secret references fails unless the runtime identity can already read them.
  depends_on = [google_secret_manager_secret_iam_member.accessor]

  lifecycle {
    precondition {
      condition     = length(setsubtract(each.value.encrypts, keys(var.kms_keys))) == 0
      error_message = "${each.key} encrypts with Cloud KMS keys the kms module does not declare: ${join(", ", setsubtract(each.value.encrypts, keys(var.kms_keys)))}."
    }
    precondition {
      condition     = each.value.callers_setting == null ? true : !contains(keys(merge(lookup(var.function_environment, "*", {}), lookup(var.function_environment, each.key, {}))), each.value.callers_setting)
      error_message = "function_environment sets ${coalesce(each.value.callers_setting, "-")} of ${each.key}, which lists the service accounts that hold run.invoker on it: name them in api_invokers or as an outside caller (platform_service_accounts) instead."
    }
    precondition {
      condition     = length(setsubtract(each.value.decrypts, keys(var.kms_keys))) == 0
      error_message = "${each.key} decrypts with Cloud KMS keys the kms module does not declare: ${join(", ", setsubtract(each.value.decrypts, keys(var.kms_keys)))}."
    }
  }
}

resource "google_cloud_run_service_iam_member" "invoker" {
  for_each = local.invoked

  project  = var.project_id
  location = google_cloudfunctions2_function.fn[each.key].location
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.invoker.email}"
}

# HTTP APIs: only the identities the environment names may call them (api_invokers, and the service accounts of the
# outside callers the topology lets invoke them).
resource "google_cloud_run_service_iam_member" "api" {
  for_each = local.api_invoker_bindings

  project  = var.project_id
  location = google_cloudfunctions2_function.fn[each.value.function].location
  service  = google_cloudfunctions2_function.fn[each.value.function].name
  role     = "roles/run.invoker"
  member   = each.value.member

  lifecycle {
    precondition {
      condition     = contains(keys(local.api), each.value.function)
      error_message = "api_invokers names ${each.value.function}, which is not an HTTP API function (it is pushed to, scheduled or public)."
    }
  }
}

# Webhooks (topology "public": true) accept anonymous calls and verify their own signatures. Their ingress admits
# only the load balancer (modules/edge): the Functions Framework inflates a compressed body before any of our code
# runs, so the size limit must be enforced in front of the function, not in it.
resource "google_cloud_run_service_iam_member" "public" {
  for_each = local.public

  project  = var.project_id
  location = google_cloudfunctions2_function.fn[each.key].location
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# ---------------------------------------------------------------------------------------------------------------
# Schedules
# ---------------------------------------------------------------------------------------------------------------

resource "google_cloud_scheduler_job" "fn" {
  for_each = module.topology.scheduled_functions

  project          = var.project_id
  region           = coalesce(var.scheduler_region, var.region)
  name             = local.functions[each.key].folder
  description      = "Calls ${each.key} on its topology schedule (${var.environment})."
  schedule         = each.value.cron
  time_zone        = each.value.timeZone
  attempt_deadline = try(each.value.attemptDeadline, "180s")
  paused           = var.pause_schedules

  retry_config {
    retry_count          = var.scheduler_retry.retry_count
    max_retry_duration   = var.scheduler_retry.max_retry_duration
    min_backoff_duration = var.scheduler_retry.min_backoff_duration
    max_backoff_duration = var.scheduler_retry.max_backoff_duration
    max_doublings        = var.scheduler_retry.max_doublings
  }

  http_target {
    uri         = google_cloudfunctions2_function.fn[each.key].service_config[0].uri
    http_method = "POST"
    headers     = { "Content-Type" = "application/json" }
    body        = base64encode(jsonencode({ source = "cloud-scheduler", job = local.functions[each.key].folder, environment = var.environment }))

    oidc_token {
      service_account_email = google_service_account.invoker.email
      audience              = google_cloudfunctions2_function.fn[each.key].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_service_iam_member.invoker]
}

check "function_environment_names_functions" {
  assert {
    condition     = length(setsubtract(keys(var.function_environment), concat(["*"], keys(local.functions)))) == 0
    error_message = "function_environment names functions absent from the topology: ${join(", ", setsubtract(keys(var.function_environment), concat(["*"], keys(local.functions))))}."
  }
}

check "instance_overrides_name_functions" {
  assert {
    condition     = length(setsubtract(concat(keys(var.min_instances), keys(var.max_instances)), keys(local.functions))) == 0
    error_message = "min_instances/max_instances name functions absent from the topology: ${join(", ", setsubtract(concat(keys(var.min_instances), keys(var.max_instances)), keys(local.functions)))}."
  }
}
