# ---------------------------------------------------------------------------------------------------------------
# Service levels. One custom Cloud Monitoring service per function (its gen2 Cloud Run service's request metrics)
# and one for the price-to-alert path, each SLO request-based over a rolling window of service_levels.window_days:
#   - availability of every function: good = requests not answered 5xx (the same request_count series as the
#     function_error_rate policy). Push consumers answer 5xx to ask Pub/Sub for a retry, which spends budget too:
#     a retry storm is what the budget is for;
#   - latency of the functions in service_levels.latency (the Persona webhook): requests answered 2xx within the
#     threshold (Cloud Run's own request_latencies; refusals and errors are the availability SLO's business);
#   - price to alert: margin alerts published within price_to_alert_ms of their price tick (log-based metric
#     price_to_alert, log-metrics.tf).
# ---------------------------------------------------------------------------------------------------------------

locals {
  window_hours = var.service_levels.window_days * 24

  # Burn-rate alerting, multi-window (Google SRE workbook, "Alerting on SLOs"). A burn rate b sustained over a
  # lookback of L hours spends b x L / W of the error budget of a W-hour window, so the threshold that fires when a
  # share s of the budget is spent within L is b = s x W / L. With W = 168 h (7 days):
  #   fast: 5 % of the budget in 1 h  => b = 0.05 x 168 / 1 = 8.4 (at that rate the week's budget is gone in 20 h);
  #         pages (CRITICAL). The workbook's 14.4 for a 30-day (720 h) budget is 2 % in 1 h; 2 % of a 7-day budget
  #         would page at 3.36, i.e. 1.7 % of a function's requests failing for an hour against a 99.5 % target,
  #         which Pub/Sub retries through a short outage of a provider reach without anything being lost;
  #   slow: 10 % of the budget in 6 h => b = 0.10 x 168 / 6 = 2.8 (budget gone in 2.5 days); email (WARNING).
  # Each also requires the same rate over a short window of L / 12 (5 min, 30 min), so an incident that has ended
  # stops firing within minutes instead of after the long window has drained.
  burn_rates = {
    for speed, a in var.burn_rate_alerts : speed => {
      # Rounded through a string: 0.05 x 168 is not exactly 8.4 in binary, and the threshold shows in names.
      threshold      = tonumber(format("%.4f", a.budget_share * local.window_hours * 60 / a.lookback_minutes))
      long           = "${a.lookback_minutes * 60}s"
      short          = "${a.lookback_minutes * 5}s"
      long_minutes   = a.lookback_minutes
      short_minutes  = a.lookback_minutes / 12
      budget_percent = format("%g", a.budget_share * 100)
    }
  }

  # Cloud Run request series of one function's service.
  requests = {
    for name, service in var.functions :
    name => "metric.type=\"run.googleapis.com/request_count\" AND resource.type=\"cloud_run_revision\" AND resource.label.service_name=\"${service}\""
  }
}

resource "google_monitoring_custom_service" "function" {
  for_each = var.functions

  project      = var.project_id
  service_id   = "fusion-risk-${var.environment}-${each.value}"
  display_name = "Fusion Risk ${var.environment}: ${each.key}"
  user_labels  = { app = "fusion-risk", environment = var.environment }
}

resource "google_monitoring_custom_service" "price_to_alert" {
  project      = var.project_id
  service_id   = "fusion-risk-${var.environment}-price-to-alert"
  display_name = "Fusion Risk ${var.environment}: price tick to margin alert"
  user_labels  = { app = "fusion-risk", environment = var.environment }
}

resource "google_monitoring_slo" "availability" {
  for_each = var.functions

  project             = var.project_id
  service             = google_monitoring_custom_service.function[each.key].service_id
  slo_id              = "availability"
  display_name        = "${each.key}: ${format("%g", var.service_levels.availability_goal * 100)}% of requests not 5xx, rolling ${var.service_levels.window_days} days"
  goal                = var.service_levels.availability_goal
  rolling_period_days = var.service_levels.window_days
  user_labels         = { app = "fusion-risk", environment = var.environment }

  request_based_sli {
    good_total_ratio {
      total_service_filter = local.requests[each.key]
      bad_service_filter   = "${local.requests[each.key]} AND metric.label.response_code_class=\"5xx\""
    }
  }
}

locals {
  # The latency SLOs: those of service_levels.latency whose function this environment has, and the price-to-alert
  # path's.
  latency_slos = merge(
    {
      for name, l in var.service_levels.latency : name => {
        service = google_monitoring_custom_service.function[name].service_id
        what    = "2xx answers within ${l.threshold_ms} ms"
        goal    = l.goal
        max     = l.threshold_ms
        filter  = "metric.type=\"run.googleapis.com/request_latencies\" AND resource.type=\"cloud_run_revision\" AND resource.label.service_name=\"${var.functions[name]}\" AND metric.label.response_code_class=\"2xx\""
      } if contains(keys(var.functions), name)
    },
    {
      priceToAlert = {
        service = google_monitoring_custom_service.price_to_alert.service_id
        what    = "margin alerts within ${format("%g", var.service_levels.price_to_alert_ms / 1000)} s of their price tick"
        goal    = var.service_levels.price_to_alert_goal
        max     = var.service_levels.price_to_alert_ms
        filter  = "metric.type=\"${local.log_metric_types.price_to_alert}\" AND resource.type=\"cloud_run_revision\""
      }
    },
  )
}

resource "google_monitoring_slo" "latency" {
  for_each = local.latency_slos

  project             = var.project_id
  service             = each.value.service
  slo_id              = "latency"
  display_name        = "${each.key}: ${format("%g", each.value.goal * 100)}% of ${each.value.what}, rolling ${var.service_levels.window_days} days"
  goal                = each.value.goal
  rolling_period_days = var.service_levels.window_days
  user_labels         = { app = "fusion-risk", environment = var.environment }

  request_based_sli {
    distribution_cut {
      distribution_filter = each.value.filter
      range {
        max = each.value.max
      }
    }
  }
}

locals {
  # Every SLO, by "<function or path> <kind>" => its resource name, for the burn-rate policies and the dashboard.
  slos = merge(
    { for name, slo in google_monitoring_slo.availability : "${name} availability" => slo.name },
    { for name, slo in google_monitoring_slo.latency : "${name} latency" => slo.name },
  )
}

resource "google_monitoring_alert_policy" "slo_fast_burn" {
  for_each = local.slos

  project               = var.project_id
  display_name          = "Fusion Risk ${var.environment}: ${each.key} SLO burning fast"
  combiner              = "AND"
  severity              = "CRITICAL"
  notification_channels = local.critical_channels
  user_labels           = { app = "fusion-risk", environment = var.environment }

  conditions {
    display_name = "Burn rate over ${local.burn_rates.fast.long_minutes} min > ${local.burn_rates.fast.threshold}"
    condition_threshold {
      filter          = "select_slo_burn_rate(\"${each.value}\", \"${local.burn_rates.fast.long}\")"
      comparison      = "COMPARISON_GT"
      threshold_value = local.burn_rates.fast.threshold
      duration        = "0s"

      trigger {
        count = 1
      }
    }
  }

  conditions {
    display_name = "Burn rate over ${local.burn_rates.fast.short_minutes} min > ${local.burn_rates.fast.threshold}"
    condition_threshold {
      filter          = "select_slo_burn_rate(\"${each.value}\", \"${local.burn_rates.fast.short}\")"
      comparison      = "COMPARISON_GT"
      threshold_value = local.burn_rates.fast.threshold
      duration        = "0s"

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "The ${each.key} SLO spent ${local.burn_rates.fast.budget_percent}% of its ${var.service_levels.window_days}-day error budget in the last ${local.burn_rates.fast.long_minutes} min and is still burning: at this rate the whole budget is gone in ${format("%.0f", local.window_hours / local.burn_rates.fast.threshold)} h. Check the function's ERROR logs and the dead-letter topics; the operations dashboard shows which figure moved."
  }
}

resource "google_monitoring_alert_policy" "slo_slow_burn" {
  for_each = local.slos

  project               = var.project_id
  display_name          = "Fusion Risk ${var.environment}: ${each.key} SLO burning slowly"
  combiner              = "AND"
  severity              = "WARNING"
  notification_channels = local.channels
  user_labels           = { app = "fusion-risk", environment = var.environment }

  conditions {
    display_name = "Burn rate over ${local.burn_rates.slow.long_minutes} min > ${local.burn_rates.slow.threshold}"
    condition_threshold {
      filter          = "select_slo_burn_rate(\"${each.value}\", \"${local.burn_rates.slow.long}\")"
      comparison      = "COMPARISON_GT"
      threshold_value = local.burn_rates.slow.threshold
      duration        = "0s"

      trigger {
        count = 1
      }
    }
  }

  conditions {
    display_name = "Burn rate over ${local.burn_rates.slow.short_minutes} min > ${local.burn_rates.slow.threshold}"
    condition_threshold {
      filter          = "select_slo_burn_rate(\"${each.value}\", \"${local.burn_rates.slow.short}\")"
      comparison      = "COMPARISON_GT"
      threshold_value = local.burn_rates.slow.threshold
      duration        = "0s"

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "The ${each.key} SLO spent ${local.burn_rates.slow.budget_percent}% of its ${var.service_levels.window_days}-day error budget in the last ${local.burn_rates.slow.long_minutes / 60} h: at this rate the whole budget is gone in ${format("%.0f", local.window_hours / local.burn_rates.slow.threshold)} h. Not urgent, but look before the budget runs out."
  }
}
