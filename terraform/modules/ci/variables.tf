variable "project_id" {
  description = "Project the builds run in: it holds the GitHub connection, the triggers and the build service accounts."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid Google Cloud project id."
  }
}

variable "region" {
  description = "Region of the 2nd-gen GitHub connection; the repository link and the triggers are created there too."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west1."
  }
}

variable "connection" {
  description = "Name of the 2nd-gen Cloud Build connection to GitHub, created once by hand in region (gcloud builds connections create github <name>; terraform/README.md)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.connection))
    error_message = "connection must be the connection's name (lowercase letters, digits, hyphens), not its full resource name."
  }
}

variable "repository_uri" {
  description = "HTTPS clone URL of the GitHub repository, e.g. https://github.com/<owner>/<repository>.git."
  type        = string

  validation {
    condition     = can(regex("^https://github\\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\\.git$", var.repository_uri))
    error_message = "repository_uri must be https://github.com/<owner>/<repository>.git."
  }
}

variable "repository_name" {
  description = "Name of the repository link inside the connection."
  type        = string
  default     = "fusion-risk"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", var.repository_name))
    error_message = "repository_name must be letters, digits, '_', '.' or '-'."
  }
}

variable "service_account" {
  description = "Service account the apply triggers' builds run as (projects/<project>/serviceAccounts/<email>): it plans and applies every environment (see cloudbuild.yaml for its roles)."
  type        = string

  validation {
    condition     = can(regex("^projects/[^/]+/serviceAccounts/[^/]+@[^/]+$", var.service_account))
    error_message = "service_account must be projects/<project>/serviceAccounts/<email>."
  }
}

variable "plan_service_account" {
  description = "Service account the plan triggers' builds run as (projects/<project>/serviceAccounts/<email>), e.g. one that can read but not change the environments; null: service_account."
  type        = string
  default     = null

  validation {
    condition     = var.plan_service_account == null || can(regex("^projects/[^/]+/serviceAccounts/[^/]+@[^/]+$", var.plan_service_account))
    error_message = "plan_service_account must be projects/<project>/serviceAccounts/<email>, or null."
  }
}

variable "main_branch" {
  description = "Branch pull requests go into and whose pushes are planned."
  type        = string
  default     = "main"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._/-]*$", var.main_branch))
    error_message = "main_branch must be a branch name (letters, digits, '.', '_', '/', '-')."
  }
}

variable "release_branch" {
  description = "Branch whose pushes start the apply triggers (each waits for approval)."
  type        = string
  default     = "release"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._/-]*$", var.release_branch))
    error_message = "release_branch must be a branch name (letters, digits, '.', '_', '/', '-')."
  }
}

variable "environments" {
  description = "Environments with an apply trigger (fusion-risk-apply-<env>)."
  type        = list(string)
  default     = ["dev", "staging", "prod"]
  nullable    = false

  validation {
    condition     = alltrue([for e in var.environments : contains(["dev", "staging", "prod"], e)])
    error_message = "environments must be among dev, staging and prod."
  }
}

variable "substitutions" {
  description = "Substitutions of every trigger (e.g. _TF_STATE_BUCKET, _ARTIFACT_BUCKET); cloudbuild.yaml's defaults apply to the rest. Never _APPLY_ENV: only the apply triggers set it, each to its environment."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k in keys(var.substitutions) : can(regex("^_[A-Z0-9_]+$", k)) && k != "_APPLY_ENV"])
    error_message = "substitutions must be user substitutions (_NAME) other than _APPLY_ENV."
  }
}

variable "apply_substitutions" {
  description = "Environment => substitutions of its apply trigger only (e.g. _DASHBOARD_OAUTH_CLIENT_ID), over substitutions. Never _APPLY_ENV."
  type        = map(map(string))
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue(flatten([for env, s in var.apply_substitutions : [for k in keys(s) : can(regex("^_[A-Z0-9_]+$", k)) && k != "_APPLY_ENV"]]))
    error_message = "apply_substitutions must be user substitutions (_NAME) other than _APPLY_ENV."
  }
  validation {
    condition     = alltrue([for env in keys(var.apply_substitutions) : contains(var.environments, env)])
    error_message = "apply_substitutions must be keyed by environments that have an apply trigger."
  }
}

variable "approvers" {
  description = "IAM members (user:..., group:...) who may approve a pending apply: roles/cloudbuild.builds.approver on the project."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for m in var.approvers : can(regex("^(user|group|serviceAccount|domain):.+", m))])
    error_message = "approvers must be IAM members such as user:<email> or group:<email>."
  }
}
