variable "project_id" {
  description = "Project that holds the key ring."
  type        = string
}

variable "environment" {
  description = "Environment name, used in the key ring name and labels."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "location" {
  description = "Location of the key ring; the functions' region keeps encryption calls regional."
  type        = string
}

variable "keys" {
  description = <<-EOT
    Key name => symmetric ENCRYPT_DECRYPT key. Functions name these keys under "encrypts" (and, for the case tool,
    "decrypts") in shared/contracts/topology.json and receive the key's resource name in env_var. rotation_days: automatic rotation period (new key
    versions encrypt; old versions still decrypt).
  EOT
  type = map(object({
    description   = string
    env_var       = string
    rotation_days = optional(number, 90)
    protection    = optional(string, "SOFTWARE")
  }))
  default = {
    kyc = {
      description = "Wraps the data keys that encrypt KYC personal data (envelope encryption)."
      env_var     = "KYC_KMS_KEY_NAME"
    }
  }

  validation {
    condition     = alltrue([for k in values(var.keys) : k.rotation_days >= 1 && k.rotation_days <= 365])
    error_message = "rotation_days must be between 1 and 365."
  }
  validation {
    condition     = alltrue([for k in values(var.keys) : can(regex("^[A-Z][A-Z0-9_]*$", k.env_var))])
    error_message = "env_var must be an upper-case environment variable name."
  }
  validation {
    condition     = alltrue([for k in values(var.keys) : contains(["SOFTWARE", "HSM"], k.protection)])
    error_message = "protection must be SOFTWARE or HSM."
  }
}

variable "encrypters" {
  description = "\"function/key\" => { key, email }: the identities granted cryptoKeyEncrypter (encrypt only), each on its key alone. Keyed by name so plans do not wait for emails."
  type = map(object({
    key   = string
    email = string
  }))
  default = {}
}

variable "decrypters" {
  description = "\"function/key\" => { key, email }: the identities granted cryptoKeyDecrypter (decrypt only), each on its key alone: the functions that name the key under \"decrypts\" in the topology. Keyed by name so plans do not wait for emails."
  type = map(object({
    key   = string
    email = string
  }))
  default = {}
}
