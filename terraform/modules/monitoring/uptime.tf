# ---------------------------------------------------------------------------------------------------------------
# Uptime checks from outside, through the load balancer (edge module): DNS, the managed certificate, the URL map,
# Cloud Armor and the function all have to work for a check to pass.
#   - each public function listed in uptime_checks.expected_status, at its public URL: an unsigned GET carries no
#     body, so Cloud Armor lets it through and the function answers it without doing any work (personaWebhook:
#     405, "use POST"). Any other answer (403 from Cloud Armor, 404 from the URL map, 5xx, a TLS failure) fails;
#   - the risk dashboard, when dashboard_url is set: GET / => 200 (its static index.html from the bucket).
# ---------------------------------------------------------------------------------------------------------------

locals {
  uptime_targets = merge(
    {
      for name, status in var.uptime_checks.expected_status : name => {
        url    = var.public_endpoints[name]
        status = status
      } if contains(keys(var.public_endpoints), name)
    },
    var.dashboard_url == null ? {} : { dashboard = { url = "${trimsuffix(var.dashboard_url, "/")}/", status = 200 } },
  )
  # https://<host><path>
  uptime_urls = {
    for name, t in local.uptime_targets : name => {
      host   = regex("^https://([^/]+)", t.url)[0]
      path   = coalesce(try(regex("^https://[^/]+(/.*)$", t.url)[0], null), "/")
      status = t.status
    }
  }
}

resource "google_monitoring_uptime_check_config" "endpoint" {
  for_each = local.uptime_urls

  project      = var.project_id
  display_name = "Fusion Risk ${var.environment}: ${each.key} (https://${each.value.host}${each.value.path})"
  timeout      = "10s"
  period       = "${var.uptime_checks.period_seconds}s"
  checker_type = "STATIC_IP_CHECKERS"
  user_labels  = { app = "fusion-risk", environment = var.environment }

  http_check {
    request_method = "GET"
    path           = each.value.path
    port           = 443
    use_ssl        = true
    validate_ssl   = true

    accepted_response_status_codes {
      status_value = each.value.status
    }
  }

  monitored_resource {
    type = "uptime_url"
    labels = {
      project_id = var.project_id
      host       = each.value.host
    }
  }
}

# Fires when more than one checker region fails for failing_minutes: one region's network trouble is not ours.
resource "google_monitoring_alert_policy" "uptime" {
  for_each = local.uptime_urls

  project               = var.project_id
  display_name          = "Fusion Risk ${var.environment}: ${each.key} unreachable from the internet"
  combiner              = "OR"
  severity              = "CRITICAL"
  notification_channels = local.critical_channels
  user_labels           = { app = "fusion-risk", environment = var.environment }

  conditions {
    display_name = "Uptime check of https://${each.value.host}${each.value.path} failing in more than one region for ${var.uptime_checks.failing_minutes} min"
    condition_threshold {
      filter          = "metric.type=\"monitoring.googleapis.com/uptime_check/check_passed\" AND resource.type=\"uptime_url\" AND metric.label.check_id=\"${google_monitoring_uptime_check_config.endpoint[each.key].uptime_check_id}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1
      duration        = "${var.uptime_checks.failing_minutes * 60}s"

      aggregations {
        alignment_period     = "${var.uptime_checks.period_seconds}s"
        per_series_aligner   = "ALIGN_NEXT_OLDER"
        cross_series_reducer = "REDUCE_COUNT_FALSE"
        group_by_fields      = ["resource.label.host"]
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "GET https://${each.value.host}${each.value.path} no longer answers ${each.value.status} from more than one region. Check the managed certificate (ACTIVE?), the DNS A record to the edge IP address, the load balancer's backend and its Cloud Armor logs, then ${each.key == "dashboard" ? "the dashboard bucket's content (deploy-dashboard)" : "the function's logs (jsonPayload.functionName=\"${each.key}\")"}."
  }
}
