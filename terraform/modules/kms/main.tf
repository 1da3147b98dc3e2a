# Cloud KMS: a key ring per environment and the symmetric keys that wrap the data keys of envelope encryption
# (KYC personal data). Only the functions that name a key under "encrypts" may use it, and only to ENCRYPT
# (roles/cloudkms.cryptoKeyEncrypter); nobody else gets any role here.
#
# Nobody may decrypt: no deployed function reads personal data back (personaWebhook, the internet-facing webhook,
# only encrypts). Decryption is for a future case tool, which will run under its own identity and receive
# roles/cloudkms.cryptoKeyDecrypter on the key alone, never a function's service account and never
# cryptoKeyEncrypterDecrypter. A compromised webhook can thus write ciphertext but never read personal data back. Keys and key rings cannot be deleted in Cloud KMS: removing one from
# Terraform only schedules its versions for destruction, so prevent_destroy guards against it.

locals {
  labels = {
    app         = "fusion-risk"
    environment = var.environment
  }
}

resource "google_kms_key_ring" "this" {
  project  = var.project_id
  name     = "fusion-risk-${var.environment}"
  location = var.location
}

resource "google_kms_crypto_key" "this" {
  for_each = var.keys

  name            = each.key
  key_ring        = google_kms_key_ring.this.id
  purpose         = "ENCRYPT_DECRYPT"
  rotation_period = "${each.value.rotation_days * 24 * 60 * 60}s"
  labels          = local.labels

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = each.value.protection
  }

  lifecycle {
    prevent_destroy = true
  }
}

# Encrypt only (cloudkms.cryptoKeyVersions.useToEncrypt): the envelope cipher wraps each data key with the key.
resource "google_kms_crypto_key_iam_member" "encrypter" {
  for_each = var.encrypters

  crypto_key_id = google_kms_crypto_key.this[each.value.key].id
  role          = "roles/cloudkms.cryptoKeyEncrypter"
  member        = "serviceAccount:${each.value.email}"

  lifecycle {
    precondition {
      condition     = contains(keys(var.keys), each.value.key)
      error_message = "${each.key}: no Cloud KMS key named ${each.value.key} (keys: ${join(", ", keys(var.keys))})."
    }
  }
}
