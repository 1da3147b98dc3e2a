variable "project_id" {
  description = "Project that owns the topics and subscriptions."
  type        = string
}

variable "environment" {
  description = "Environment name, used as a label."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "topology_path" {
  description = "Path to shared/contracts/topology.json; topics and subscriptions are derived from it, never listed here."
  type        = string

  validation {
    condition     = fileexists(var.topology_path)
    error_message = "topology_path must point at an existing shared/contracts/topology.json."
  }
}

variable "function_uris" {
  description = "Function name (topology key) => HTTPS URI of the deployed function; push subscriptions deliver to <uri>/projects/<project>/topics/<topic>."
  type        = map(string)

  validation {
    condition     = alltrue([for u in values(var.function_uris) : u == null ? true : startswith(u, "https://")])
    error_message = "function_uris must be https:// URIs."
  }
}

variable "push_service_account_email" {
  description = "The per-environment invoker service account whose OIDC token Pub/Sub attaches to every push (it holds run.invoker on the consuming functions)."
  type        = string

  validation {
    condition     = endswith(var.push_service_account_email, ".iam.gserviceaccount.com")
    error_message = "push_service_account_email must be a service account email."
  }
}

variable "outside_callers" {
  description = "Caller declared under outsideCallers in the topology (e.g. platform) => e-mails of its service accounts: each may publish (roles/pubsub.publisher) to the topics the topology lists under that caller's publishes."
  type        = map(list(string))
  default     = {}
}

variable "topic_message_retention_duration" {
  description = "How long topics keep published messages for seek/replay (\"600s\"-\"2678400s\"); null keeps none beyond subscriptions."
  type        = string
  default     = null

  validation {
    condition     = var.topic_message_retention_duration == null || can(regex("^[0-9]+s$", var.topic_message_retention_duration))
    error_message = "topic_message_retention_duration must be a duration in seconds such as \"86400s\"."
  }
}

variable "dead_letter_inspection" {
  description = "Pull subscription on each dead-letter topic, for operators to inspect and replay rejected messages."
  type = object({
    message_retention_duration = optional(string, "2678400s")
    ack_deadline_seconds       = optional(number, 60)
  })
  default = {}

  validation {
    condition     = can(regex("^[0-9]+s$", var.dead_letter_inspection.message_retention_duration))
    error_message = "dead_letter_inspection.message_retention_duration must be a duration in seconds, at most \"2678400s\" (31 days)."
  }
}
