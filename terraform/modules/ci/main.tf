# The Cloud Build triggers that run cloudbuild.yaml: plan on every pull request and every push to the main branch,
# apply one environment on a push to the release branch once someone approves. Applied by hand from terraform/ci,
# never by the pipeline itself: a build must not be able to change its own triggers or drop their approval.
#
# The repository is reached through a 2nd-gen connection (google_cloudbuildv2_repository, repository_event_config)
# rather than a 1st-gen `github` block: a 1st-gen GitHub App repository can only be connected in the console and is
# global, whereas a 2nd-gen connection is a regional resource of the project (its GitHub token lives in this
# project's Secret Manager) to which Terraform links the repository, so only the connection's GitHub authorisation
# stays manual (gcloud builds connections create github, terraform/README.md). The connection itself is not
# created here: it needs that interactive authorisation, and its token would otherwise pass through the state.

locals {
  # Branch names as anchored RE2 patterns, the form a trigger's branch filter takes ("main" matches "main" only).
  main_branch    = "^${replace(var.main_branch, ".", "\\.")}$"
  release_branch = "^${replace(var.release_branch, ".", "\\.")}$"

  # A plan never applies, so it may run under an account that can only read; it defaults to the apply account.
  plan_service_account = coalesce(var.plan_service_account, var.service_account)

  # Trigger name => what it runs on and with. _APPLY_ENV is set last, so no other substitution can change it: plan
  # triggers leave it unset (cloudbuild.yaml's default, '', applies nothing); apply-<env> triggers name their
  # environment and require approval, so the build waits for an approver before any step runs.
  triggers = merge(
    {
      "fusion-risk-plan" = {
        description       = "Plans dev, staging and prod for a pull request into ${var.main_branch}; applies nothing."
        event             = "pull_request"
        branch            = local.main_branch
        apply_env         = ""
        approval_required = false
        service_account   = local.plan_service_account
        substitutions     = var.substitutions
      }
      "fusion-risk-plan-push" = {
        description       = "Plans dev, staging and prod for a push to ${var.main_branch}; applies nothing."
        event             = "push"
        branch            = local.main_branch
        apply_env         = ""
        approval_required = false
        service_account   = local.plan_service_account
        substitutions     = var.substitutions
      }
    },
    {
      for env in var.environments : "fusion-risk-apply-${env}" => {
        description       = "Applies ${env} on a push to ${var.release_branch}, once approved (promotion order dev, staging, prod is checked by the build)."
        event             = "push"
        branch            = local.release_branch
        apply_env         = env
        approval_required = true
        service_account   = var.service_account
        substitutions     = merge(var.substitutions, lookup(var.apply_substitutions, env, {}), { _APPLY_ENV = env })
      }
    },
  )
}

# The GitHub repository, linked into the connection created once by hand.
resource "google_cloudbuildv2_repository" "this" {
  project           = var.project_id
  location          = var.region
  name              = var.repository_name
  parent_connection = var.connection
  remote_uri        = var.repository_uri
}

resource "google_cloudbuild_trigger" "this" {
  for_each = local.triggers

  project         = var.project_id
  location        = var.region
  name            = each.key
  description     = each.value.description
  filename        = "cloudbuild.yaml"
  service_account = each.value.service_account
  substitutions   = each.value.substitutions

  repository_event_config {
    repository = google_cloudbuildv2_repository.this.id

    dynamic "pull_request" {
      for_each = each.value.event == "pull_request" ? [each.value.branch] : []
      content {
        branch = pull_request.value
        # A pull request from outside the repository's writers runs only after a writer comments /gcbrun: the build
        # runs with the plan service account, which must not run a stranger's code unread.
        comment_control = "COMMENTS_ENABLED_FOR_EXTERNAL_CONTRIBUTORS_ONLY"
      }
    }

    dynamic "push" {
      for_each = each.value.event == "push" ? [each.value.branch] : []
      content {
        branch = push.value
      }
    }
  }

  approval_config {
    approval_required = each.value.approval_required
  }

  lifecycle {
    precondition {
      condition     = each.value.apply_env == "" || each.value.approval_required
      error_message = "Trigger ${each.key} applies ${each.value.apply_env} without requiring approval."
    }
  }
}

# Who may approve a pending apply (project-wide: Cloud Build has no per-trigger IAM).
resource "google_project_iam_member" "approver" {
  for_each = toset(var.approvers)

  project = var.project_id
  role    = "roles/cloudbuild.builds.approver"
  member  = each.value
}
