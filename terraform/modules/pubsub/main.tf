# Pub/Sub: topics and Terraform-owned PUSH subscriptions, all derived from shared/contracts/topology.json.
#
# Consumers are deployed as HTTP functions behind these push subscriptions rather than with Eventarc triggers:
# an Eventarc-managed subscription cannot carry a dead-letter policy, a Terraform-owned one can. Each push carries
# an OIDC token of the environment's invoker service account; the endpoint path names the topic because the
# functions read the topic from it.

module "topology" {
  source = "../topology"

  topology_path   = var.topology_path
  project_id      = var.project_id
  function_uris   = var.function_uris
  outside_callers = var.outside_callers
}

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  labels = {
    app         = "fusion-risk"
    environment = var.environment
  }
}

resource "google_pubsub_topic" "this" {
  for_each = module.topology.topics

  project                    = var.project_id
  name                       = each.key
  message_retention_duration = var.topic_message_retention_duration
  labels                     = local.labels
}

resource "google_pubsub_subscription" "push" {
  for_each = module.topology.subscriptions

  project = var.project_id
  name    = each.key
  topic   = google_pubsub_topic.this[each.value.topic].id
  labels  = merge(local.labels, { consumer = module.topology.functions[each.value.function].folder })

  ack_deadline_seconds       = each.value.ack_deadline_seconds
  message_retention_duration = each.value.message_retention_duration
  retain_acked_messages      = false

  # Never expire for inactivity: a quiet topic (e.g. positions at night) must not lose its subscription.
  expiration_policy {
    ttl = ""
  }

  push_config {
    push_endpoint = each.value.push_endpoint

    oidc_token {
      service_account_email = var.push_service_account_email
      audience              = var.function_uris[each.value.function]
    }
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.this[each.value.dead_letter_topic].id
    max_delivery_attempts = each.value.max_delivery_attempts
  }

  retry_policy {
    minimum_backoff = each.value.minimum_backoff
    maximum_backoff = each.value.maximum_backoff
  }

  lifecycle {
    precondition {
      condition     = contains(keys(var.function_uris), each.value.function)
      error_message = "Subscription ${each.key}: no URI was passed for its consuming function ${each.value.function}."
    }
  }
}

# Operators read rejected and exhausted messages here (attributes carry the reason); nothing consumes it
# automatically.
resource "google_pubsub_subscription" "dead_letter_inspection" {
  for_each = toset(module.topology.dead_letter_topics)

  project                    = var.project_id
  name                       = "${each.value}.inspect"
  topic                      = google_pubsub_topic.this[each.value].id
  labels                     = local.labels
  ack_deadline_seconds       = var.dead_letter_inspection.ack_deadline_seconds
  message_retention_duration = var.dead_letter_inspection.message_retention_duration
  retain_acked_messages      = true

  expiration_policy {
    ttl = ""
  }
}

# Callers outside this system (topology "outsideCallers", e.g. the lending platform) publish to the topics the
# topology lists under their "publishes", with the service accounts the environment names for them; nothing else.
resource "google_pubsub_topic_iam_member" "outside_publisher" {
  for_each = module.topology.outside_publisher_bindings

  project = var.project_id
  topic   = google_pubsub_topic.this[each.value.topic].name
  role    = "roles/pubsub.publisher"
  member  = each.value.member
}

# The Pub/Sub service agent forwards undeliverable messages: it must publish to the dead-letter topic and
# acknowledge on the source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = toset(module.topology.dead_letter_topics)

  project = var.project_id
  topic   = google_pubsub_topic.this[each.value].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = google_pubsub_subscription.push

  project      = var.project_id
  subscription = each.value.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# The service agent mints the OIDC tokens of the invoker service account for authenticated pushes.
resource "google_service_account_iam_member" "push_token_creator" {
  service_account_id = "projects/${var.project_id}/serviceAccounts/${var.push_service_account_email}"
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

# For a push subscription the ack deadline is how long Pub/Sub waits for the HTTP response. A function allowed to
# run longer than that is redelivered while still working (harmless for idempotent consumers, but wasteful).
check "ack_deadline_covers_function_timeout" {
  assert {
    condition = alltrue([
      for s in values(module.topology.subscriptions) :
      s.ack_deadline_seconds >= module.topology.functions[s.function].timeout_seconds
    ])
    error_message = "Push subscriptions whose ack deadline is shorter than the consuming function's timeout: ${join(", ", [for n, s in module.topology.subscriptions : "${n} (${s.ack_deadline_seconds}s < ${module.topology.functions[s.function].timeout_seconds}s)" if s.ack_deadline_seconds < module.topology.functions[s.function].timeout_seconds])}."
  }
}
