# What terraform.tfvars sets, passed through to modules/ci, which validates every value. An optional value left
# unset here is null, and the module applies its default.

variable "project_id" {
  description = "Project the builds run in (the GitHub connection, the triggers, the build service accounts)."
  type        = string
}

variable "region" {
  description = "Region of the 2nd-gen GitHub connection and the triggers."
  type        = string
}

variable "connection" {
  description = "Name of the 2nd-gen Cloud Build connection to GitHub, created once by hand (terraform/README.md)."
  type        = string
}

variable "repository_uri" {
  description = "HTTPS clone URL of the GitHub repository (https://github.com/<owner>/<repository>.git)."
  type        = string
}

variable "repository_name" {
  description = "Name of the repository link inside the connection."
  type        = string
  default     = null
}

variable "service_account" {
  description = "Service account of the apply builds (projects/<project>/serviceAccounts/<email>)."
  type        = string
}

variable "plan_service_account" {
  description = "Service account of the plan builds (projects/<project>/serviceAccounts/<email>); null: service_account."
  type        = string
  default     = null
}

variable "main_branch" {
  description = "Branch pull requests go into and whose pushes are planned."
  type        = string
  default     = null
}

variable "release_branch" {
  description = "Branch whose pushes start the apply triggers."
  type        = string
  default     = null
}

variable "substitutions" {
  description = "Substitutions of every trigger (never _APPLY_ENV)."
  type        = map(string)
  default     = null
}

variable "apply_substitutions" {
  description = "Environment => substitutions of its apply trigger only (never _APPLY_ENV)."
  type        = map(map(string))
  default     = null
}

variable "approvers" {
  description = "IAM members who may approve a pending apply (roles/cloudbuild.builds.approver)."
  type        = list(string)
  default     = null
}
