variable "project_id" {
  description = "Project of the functions and of the load balancer in front of them."
  type        = string
}

variable "environment" {
  description = "Environment name, used in resource names and descriptions."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "region" {
  description = "Region of the functions: each serverless network endpoint group lives beside its function."
  type        = string
}

variable "topology_path" {
  description = "Path to shared/contracts/topology.json: every function with \"public\": true is served here, behind a policy built from its maxBodyBytes."
  type        = string

  validation {
    condition     = fileexists(var.topology_path)
    error_message = "topology_path must point at an existing shared/contracts/topology.json."
  }
}

variable "function_names" {
  description = "Function name (topology key) => deployed Cloud Functions name, from the functions module. A 2nd gen function is a Cloud Run service of that name, which the network endpoint group targets."
  type        = map(string)
}

variable "domains" {
  description = "Domain names the load balancer serves the public functions on (a Google-managed certificate covers them). Each must resolve to ip_address (an A record) before the certificate can become ACTIVE."
  type        = list(string)

  validation {
    condition = length(var.domains) > 0 && alltrue([
      for d in var.domains : can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", d))
    ])
    error_message = "domains must be one or more lowercase DNS names such as hooks.example.com (no scheme, no path, no wildcard)."
  }
}

variable "dashboard_domains" {
  description = "Domain names the risk dashboard is served on (its static files from a Cloud Storage bucket through this load balancer and Cloud CDN), e.g. [\"risk.example.com\"]; the same certificate covers them. Empty: no dashboard."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition = alltrue([
      for d in var.dashboard_domains : can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", d))
    ])
    error_message = "dashboard_domains must be lowercase DNS names such as risk.example.com (no scheme, no path, no wildcard)."
  }
}

variable "dns_zone" {
  description = "Cloud DNS managed zone (in this project) that serves the domains: an A record per domain is created there. Null: the operator points the domains at ip_address elsewhere."
  type        = string
  default     = null
}

variable "rate_limit" {
  description = "Requests one client IP may make to one public function per interval before Cloud Armor answers 429 (refused requests do not count)."
  type = object({
    count        = number
    interval_sec = number
  })
  default = {
    count        = 600
    interval_sec = 60
  }

  validation {
    condition     = var.rate_limit.count >= 1 && contains([10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600], var.rate_limit.interval_sec)
    error_message = "rate_limit.count must be at least 1 and rate_limit.interval_sec one of Cloud Armor's intervals (10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600)."
  }
}
