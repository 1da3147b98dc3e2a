# Secret Manager secrets (containers only) for every secret a function declares in the topology. Values
# are added out of band (gcloud secrets versions add ...): no secret value ever passes through Terraform,
# its state or this repository.

locals {
  topology = jsondecode(file(var.topology_path))

  secret_names = toset(flatten([
    for name, fn in local.topology.functions : try(fn.secrets, [])
  ]))
}

resource "google_secret_manager_secret" "this" {
  for_each = local.secret_names

  project   = var.project_id
  secret_id = each.value

  labels = {
    app         = "fusion-risk"
    environment = var.environment
  }

  lifecycle {
    precondition {
      condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", each.value))
      error_message = "Secret name ${each.value} in the topology is not a valid Secret Manager secret id."
    }
  }

  replication {
    dynamic "auto" {
      for_each = length(var.replica_locations) == 0 ? [1] : []
      content {}
    }

    dynamic "user_managed" {
      for_each = length(var.replica_locations) > 0 ? [1] : []
      content {
        dynamic "replicas" {
          for_each = var.replica_locations
          content {
            location = replicas.value
          }
        }
      }
    }
  }
}
