output "function_uris" {
  description = "Function name (topology key) => HTTPS URI; the pubsub module pushes to <uri>/projects/<project>/topics/<topic>."
  value       = { for k, f in google_cloudfunctions2_function.fn : k => f.service_config[0].uri }
}

output "function_names" {
  description = "Function name (topology key) => deployed Cloud Functions name (the topology folder)."
  value       = { for k, f in google_cloudfunctions2_function.fn : k => f.name }
}

output "service_account_emails" {
  description = "Function name (topology key) => runtime service account email."
  value       = { for k, sa in google_service_account.fn : k => sa.email }
}

output "invoker_email" {
  description = "Email of the per-environment invoker service account (OIDC identity of pushes and schedules)."
  value       = google_service_account.invoker.email
}

output "archive_writer_emails" {
  description = "Function name => service account email, for the functions that write the cold archive."
  value       = { for name in module.topology.archive_functions : name => google_service_account.fn[name].email }
}

output "source_bucket" {
  description = "Bucket holding the content-addressed function sources."
  value       = google_storage_bucket.source.name
}

output "source_objects" {
  description = "Function name => source object (<folder>/<sha256>.zip) currently deployed."
  value       = { for k, o in google_storage_bucket_object.source : k => o.name }
}

output "scheduler_jobs" {
  description = "Function name => Cloud Scheduler job id."
  value       = { for k, j in google_cloud_scheduler_job.fn : k => j.id }
}

output "kms_encrypters" {
  description = "\"function/key\" => { key, email } for each Cloud KMS key a function encrypts with (the kms module grants these cryptoKeyEncrypter only)."
  value       = { for k, b in module.topology.kms_bindings : k => { key = b.key, email = google_service_account.fn[b.function].email } }
}

output "kms_decrypters" {
  description = "\"function/key\" => { key, email } for each Cloud KMS key a function decrypts with (topology \"decrypts\"; the kms module grants these cryptoKeyDecrypter only)."
  value       = { for k, b in module.topology.kms_decrypt_bindings : k => { key = b.key, email = google_service_account.fn[b.function].email } }
}

output "function_folders" {
  description = "Function name (topology key) => folder, which is also its Cloud Run service name (for monitoring)."
  value       = { for k, f in local.functions : k => f.folder }
}
