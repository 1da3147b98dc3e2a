variable "project_id" {
  description = "Project that holds the secrets."
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
  description = "Path to shared/contracts/topology.json; every secret named by a function there gets a Secret Manager secret."
  type        = string

  validation {
    condition     = fileexists(var.topology_path)
    error_message = "topology_path must point at an existing shared/contracts/topology.json."
  }
}

variable "replica_locations" {
  description = "Locations for user-managed replication; empty means automatic replication."
  type        = list(string)
  default     = []
}
