output "topics" {
  description = "Topic name => { description, schema }."
  value       = local.topics

  precondition {
    condition     = length(local.unknown_topics) == 0
    error_message = "The topology refers to undeclared topics: ${join("; ", local.unknown_topics)}."
  }
}

output "functions" {
  description = "Function name (entry point) => folder, trigger, schedule, publishes, secrets, secret_prefixes, memory, timeout_seconds, min_instances, concurrency, public, callers_setting, max_body_bytes, consumes, service_account_id, writes, reads, archive, bigquery_jobs, firestore, encrypts, decrypts, refreshes."
  value       = local.functions

  precondition {
    condition     = length(local.invalid_folders) == 0
    error_message = "Function folders must be valid Cloud Functions names (lowercase letters, digits, hyphens): ${join("; ", local.invalid_folders)}."
  }
  precondition {
    condition     = length(distinct([for f in values(local.functions) : f.service_account_id])) == length(local.functions)
    error_message = "Two functions would share a service account id (fn-<folder> cut to 30 characters)."
  }
  precondition {
    condition     = length(local.unknown_tables) == 0
    error_message = "Warehouse access names tables missing from the generated file: ${join("; ", local.unknown_tables)}."
  }
}

output "subscriptions" {
  description = "Subscription name => function, topic, dead_letter_topic, delivery/retry settings and push_endpoint (null until the function URI is known)."
  value       = local.subscriptions

  precondition {
    condition     = alltrue([for s in values(local.subscription_specs) : s.topic != s.dead_letter_topic])
    error_message = "A subscription cannot dead-letter into the topic it consumes."
  }
  precondition {
    condition     = alltrue([for s in values(local.subscription_specs) : s.max_delivery_attempts >= 5 && s.max_delivery_attempts <= 100])
    error_message = "maxDeliveryAttempts must be between 5 and 100."
  }
}

output "dead_letter_topics" {
  description = "Topics that receive dead letters."
  value       = local.dead_letter_topics
}

output "secrets" {
  description = "Every secret name any function declares."
  value       = local.secrets
}

output "publisher_bindings" {
  description = "\"function/topic\" => { function, topic } for each topic a function publishes."
  value       = local.publisher_bindings
}

output "secret_prefix_bindings" {
  description = "\"function/prefix\" => { function, prefix } for secrets a function reads by name prefix (created at run time)."
  value       = local.secret_prefix_bindings
}

output "secret_bindings" {
  description = "\"function/secret\" => { function, secret } for each secret a function reads."
  value       = local.secret_bindings
}

output "table_bindings" {
  description = "\"function/dataset.table/reader|writer\" => { function, table (dataset.table), dataset, role }: dataEditor on each table a function writes, dataViewer on each it only reads."
  value       = local.table_bindings
}

output "dataset_bindings" {
  description = "\"function/dataset/archive-metadata|refresh\" => { function, dataset, role, reason }: the only dataset-level BigQuery grants (archiving lists partitions, refreshing materialized views)."
  value       = local.dataset_bindings
}

output "kms_bindings" {
  description = "\"function/key\" => { function, key } for each Cloud KMS key a function encrypts with (encrypt only)."
  value       = local.kms_bindings
}

output "kms_decrypt_bindings" {
  description = "\"function/key\" => { function, key } for each Cloud KMS key a function decrypts with (topology \"decrypts\"; decrypt only)."
  value       = local.kms_decrypt_bindings
}

output "partitioned_tables" {
  description = "Time-partitioned (hot) tables of the generated file: the tables an archiving function writes."
  value       = local.partitioned_tables
}

output "bigquery_job_functions" {
  description = "Functions that run BigQuery jobs (queries, DML, exports, view refreshes): they need roles/bigquery.jobUser. Streaming inserts are not jobs."
  value       = local.bigquery_job_functions
}

output "firestore_functions" {
  description = "Functions that use Firestore (roles/datastore.user): all but those whose topology entry sets \"firestore\": false."
  value       = local.firestore_functions
}

output "archive_functions" {
  description = "Functions that write the cold archive."
  value       = local.archive_functions
}

output "public_functions" {
  description = "Internet-facing function (topology \"public\": true) => { folder, max_body_bytes }: what the load balancer serves (modules/edge), each behind a Cloud Armor policy that refuses larger or compressed bodies."
  value       = local.public_functions

  precondition {
    condition     = length(local.public_problems) == 0
    error_message = "Public functions must be HTTP functions that declare maxBodyBytes: ${join("; ", local.public_problems)}."
  }
}

output "scheduled_functions" {
  description = "Function name => { cron, timeZone, attemptDeadline } for functions Cloud Scheduler calls."
  value       = local.scheduled
}

output "outside_callers" {
  description = "Caller outside this system (topology \"outsideCallers\", e.g. platform) => { publishes: topics it may publish to, invokes: HTTP API functions it may call }."
  value       = local.outside_callers

  precondition {
    condition     = length(local.outside_caller_problems) == 0
    error_message = "Outside callers: ${join("; ", local.outside_caller_problems)}."
  }
}

output "outside_publisher_bindings" {
  description = "\"topic/serviceAccount:<e-mail>\" => { topic, member } for each topic an outside caller publishes to and each of its service accounts (var.outside_callers): roles/pubsub.publisher."
  value       = local.outside_publisher_bindings
}

output "outside_invoker_bindings" {
  description = "\"function/serviceAccount:<e-mail>\" => { function, member } for each HTTP API function an outside caller invokes and each of its service accounts (var.outside_callers): roles/run.invoker, keyed like the functions module's api_invokers bindings."
  value       = local.outside_invoker_bindings
}
