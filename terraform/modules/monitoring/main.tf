# Alerting for one environment: dead letters waiting for an operator, functions failing too often,
# notification channels delivering below their targets, and VaR computed without a missing daily close. Functions and dead-letter topics come from the other
# modules (so from the topology); the notification targets are per channel. Service levels and their burn-rate
# alerts are in slo.tf, the log-based metrics of the use cases' figures in log-metrics.tf, uptime checks in
# uptime.tf and the operations dashboard in dashboard.tf.
#
# Two routes: every policy notifies the email channels; only CRITICAL ones (severity = "CRITICAL": dead letters,
# fast SLO burn, an endpoint down) also page through PagerDuty, when pagerduty_channel is set.

locals {
  channels = [for c in google_monitoring_notification_channel.email : c.id]
  # Email and, when configured, PagerDuty: for severity = "CRITICAL" policies only.
  critical_channels = concat(local.channels, var.pagerduty_channel == null ? [] : [var.pagerduty_channel])

  delivery_metric    = "logging.googleapis.com/user/${google_logging_metric.notification_attempts.name}"
  history_gap_metric = "logging.googleapis.com/user/${google_logging_metric.history_gaps.name}"
  # Final outcomes only: an attempt Pub/Sub will retry is neither a success nor a failure yet.
  final_outcomes  = join("", [for o in var.delivery_log.retried_outcomes : " AND NOT metric.label.outcome=\"${o}\""])
  delivery_window = "${var.delivery_log.success_window_seconds}s"
  error_window    = "${var.function_error_rate.window_seconds}s"
}

resource "google_monitoring_notification_channel" "email" {
  for_each = toset(var.alert_emails)

  project      = var.project_id
  display_name = "Fusion Risk ${var.environment}: ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }
}

# No PagerDuty channel here: its integration key is a secret, and no secret value goes through Terraform (its
# state would hold it; modules.test.ts checks that no module reads one). The channel is created once per
# project out of band, with the key, and its name given as pagerduty_channel (terraform/README.md).

# ---------------------------------------------------------------------------------------------------------------
# Dead letters: the inspection subscription of each dead-letter topic retains what no consumer could process.
# ---------------------------------------------------------------------------------------------------------------
resource "google_monitoring_alert_policy" "dead_letter_backlog" {
  for_each = var.dead_letter_subscriptions

  project               = var.project_id
  display_name          = "Fusion Risk ${var.environment}: dead letters waiting on ${each.key}"
  combiner              = "OR"
  severity              = "CRITICAL"
  notification_channels = local.critical_channels
  user_labels           = { app = "fusion-risk", environment = var.environment }

  conditions {
    display_name = "Undelivered messages on ${each.value} > 0 for ${var.dead_letter_backlog_minutes} min"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.type=\"pubsub_subscription\" AND resource.label.subscription_id=\"${each.value}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "${var.dead_letter_backlog_minutes * 60}s"

      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Messages reached ${each.key}: a consumer rejected them as permanently invalid or they exhausted their delivery attempts. Their attributes carry the reason. Pull them from `${each.value}`, fix the cause, republish to the original topic, then acknowledge."
  }
}

# ---------------------------------------------------------------------------------------------------------------
# Function error rate: share of 5xx responses per function (Cloud Run request metrics of the gen2 service).
# ---------------------------------------------------------------------------------------------------------------
resource "google_monitoring_alert_policy" "function_error_rate" {
  for_each = var.functions

  project               = var.project_id
  display_name          = "Fusion Risk ${var.environment}: ${each.key} error rate above ${var.function_error_rate.threshold * 100}%"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.channels
  user_labels           = { app = "fusion-risk", environment = var.environment }

  conditions {
    display_name = "5xx share of ${each.value} requests > ${var.function_error_rate.threshold}"
    condition_threshold {
      filter             = "metric.type=\"run.googleapis.com/request_count\" AND resource.type=\"cloud_run_revision\" AND resource.label.service_name=\"${each.value}\" AND metric.label.response_code_class=\"5xx\""
      denominator_filter = "metric.type=\"run.googleapis.com/request_count\" AND resource.type=\"cloud_run_revision\" AND resource.label.service_name=\"${each.value}\""
      comparison         = "COMPARISON_GT"
      threshold_value    = var.function_error_rate.threshold
      duration           = local.error_window

      aggregations {
        alignment_period     = local.error_window
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }

      denominator_aggregations {
        alignment_period     = local.error_window
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "${each.key} answered more than ${var.function_error_rate.threshold * 100}% of its requests with 5xx over ${var.function_error_rate.window_seconds / 60} min. Pub/Sub consumers retry transient failures and dead-letter after the topology's attempts; scheduled functions retry per their Scheduler job. Check the function's ERROR logs (jsonPayload.functionName=\"${each.key}\")."
  }
}

# ---------------------------------------------------------------------------------------------------------------
# Notification success per channel, from deliverNotification's structured log line per attempt.
# ---------------------------------------------------------------------------------------------------------------
resource "google_logging_metric" "notification_attempts" {
  project = var.project_id
  name    = "fusion-risk-notification-delivery-attempts"
  filter  = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"${var.delivery_log.message}\" AND jsonPayload.channel:* AND jsonPayload.outcome:*"

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Notification delivery attempts (${var.environment})"

    labels {
      key         = "channel"
      value_type  = "STRING"
      description = "email, sms, webhook, ..."
    }
    labels {
      key         = "outcome"
      value_type  = "STRING"
      description = "Outcome of the attempt; ${var.delivery_log.success_outcome} counts as success."
    }
  }

  label_extractors = {
    channel = "EXTRACT(jsonPayload.channel)"
    outcome = "EXTRACT(jsonPayload.outcome)"
  }
}

# Failure share > 1 - target, over final outcomes. The failure share (not the success share) is the ratio alerted on: when a channel
# fails completely there is no success series at all, and a ratio over a missing numerator never fires.
resource "google_monitoring_alert_policy" "notification_success" {
  for_each = var.notification_success_targets

  project               = var.project_id
  display_name          = "Fusion Risk ${var.environment}: ${each.key} notifications below ${each.value}% success"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.channels
  user_labels           = { app = "fusion-risk", environment = var.environment }

  conditions {
    display_name = "${each.key} failed-attempt share > ${format("%.4g", 1 - each.value / 100)} over ${var.delivery_log.success_window_seconds / 60} min"
    condition_threshold {
      filter             = "metric.type=\"${local.delivery_metric}\" AND resource.type=\"cloud_run_revision\" AND metric.label.channel=\"${each.key}\" AND NOT metric.label.outcome=\"${var.delivery_log.success_outcome}\"${local.final_outcomes}"
      denominator_filter = "metric.type=\"${local.delivery_metric}\" AND resource.type=\"cloud_run_revision\" AND metric.label.channel=\"${each.key}\"${local.final_outcomes}"
      comparison         = "COMPARISON_GT"
      threshold_value    = 1 - each.value / 100
      duration           = "0s"

      aggregations {
        alignment_period     = local.delivery_window
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }

      denominator_aggregations {
        alignment_period     = local.delivery_window
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Less than ${each.value}% of ${each.key} delivery attempts succeeded over the last ${var.delivery_log.success_window_seconds / 60} min (target ${each.value}%). Per-attempt detail is in notifications.deliveries; check the provider's status and credentials."
  }
}

# ---------------------------------------------------------------------------------------------------------------
# Missing daily closes: VaR was computed without one (the scenarios touching it left out), from the log line an
# instance repeats every 30 minutes per missing close (log-metrics.tf), so every one-hour window has one. It keeps
# firing while the close stays missing inside the window, so it closes once the close is repaired.
# ---------------------------------------------------------------------------------------------------------------
resource "google_monitoring_alert_policy" "history_gaps" {
  project               = var.project_id
  display_name          = "Fusion Risk ${var.environment}: VaR computed without a missing daily close"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.channels
  user_labels           = { app = "fusion-risk", environment = var.environment }

  conditions {
    display_name = "Daily close missing inside the VaR window, per asset"
    condition_threshold {
      filter          = "metric.type=\"${local.history_gap_metric}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "3600s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.asset"]
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "VaR/ES was computed without a daily close of $${metric.label.asset}: neither source had it when the closes were recorded and the history backfill has not filled it yet. The scenarios touching that day were left out and the window reaches further back; the outputs of portfolios holding the asset carry it as historyGaps. Find the dates in the log lines (jsonPayload.message=\"${local.log_messages.history_gap}\", jsonPayload.asset, jsonPayload.date) and repair them (history backfill, see the README). An asset missing more than RISK_MAX_GAP_DAYS closes in the window gets no VaR at all."
  }
}
