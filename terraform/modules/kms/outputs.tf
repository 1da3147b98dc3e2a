output "key_ring_id" {
  description = "Resource id of the environment's key ring."
  value       = google_kms_key_ring.this.id
}

output "keys" {
  description = "Key name => { id (projects/.../cryptoKeys/<name>, what the functions receive), env_var }."
  value       = { for k, key in google_kms_crypto_key.this : k => { id = key.id, env_var = var.keys[k].env_var } }
}

output "rotation_periods" {
  description = "Key name => rotation period (seconds, as Cloud KMS takes it)."
  value       = { for k, key in google_kms_crypto_key.this : k => key.rotation_period }
}
