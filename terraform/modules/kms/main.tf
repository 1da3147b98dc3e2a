# Cloud KMS: a key ring per environment and the symmetric keys that wrap the data keys of envelope encryption
# (KYC personal data). Only the functions that name a key in shared/contracts/topology.json may use it, each role on
# that key alone; nobody else gets any role here:
#   - "encrypts": roles/cloudkms.cryptoKeyEncrypter (encrypt only): personaWebhook, the AML paths that open cases
#     (evaluateAml, screenTransaction) and the case tool's officers' notes.
#   - "decrypts": roles/cloudkms.cryptoKeyDecrypter (decrypt only), granted apart. Only the compliance case tool's
#     own service account (complianceCases) may decrypt, to show officers the personal data of a case.
# Never cryptoKeyEncrypterDecrypter, and encrypting never implies decrypting: personaWebhook, the internet-facing
# webhook, still only encrypts, so a compromised webhook can write ciphertext but never read personal data back.
# Keys and key rings cannot be deleted in Cloud KMS: removing one from Terraform only schedules its versions for
# destruction, so prevent_destroy guards against it.

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

# Decrypt only (cloudkms.cryptoKeyVersions.useToDecrypt): the case tool unwraps a case's data keys to show officers
# the personal data. Granted only to the functions that name the key under "decrypts".
resource "google_kms_crypto_key_iam_member" "decrypter" {
  for_each = var.decrypters

  crypto_key_id = google_kms_crypto_key.this[each.value.key].id
  role          = "roles/cloudkms.cryptoKeyDecrypter"
  member        = "serviceAccount:${each.value.email}"

  lifecycle {
    precondition {
      condition     = contains(keys(var.keys), each.value.key)
      error_message = "${each.key}: no Cloud KMS key named ${each.value.key} (keys: ${join(", ", keys(var.keys))})."
    }
  }
}
