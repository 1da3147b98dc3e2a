# ---------------------------------------------------------------------------------------------------------------
# The use cases' own figures, as log-based metrics read from their structured log lines (JSON on stdout: each
# field is jsonPayload.<field>, the line's text is jsonPayload.message). The messages are the constants of
# shared/platform/log-messages.ts (and deliverNotification's ATTEMPT_LOG_MESSAGE): a test ties each filter and
# extractor below to what the code logs (test/unit/terraform/log-metrics.test.ts).
# ---------------------------------------------------------------------------------------------------------------

locals {
  log_messages = {
    # computePortfolioRisk, once per shard valued at a tick: tickId, shard, portfolios, valued, durationMs.
    shard_valued = "shard valued"
    # detectMarginEvents, once per margin alert when first published: eventId, tickId, toState, priceToAlertMs.
    margin_alert_published = "margin alert published"
    # computePortfolioRisk and checkRisk, per missing daily close a VaR engine computed around, repeated by an
    # instance at most every 30 minutes while it lasts: asset, date, historyEnd.
    history_gap = "daily close missing: VaR computed without it"
  }

  # Bucket bounds (ms) of the price-to-alert distribution. The SLO's threshold is always one of them, so the SLI
  # counts whole buckets and is exact at the threshold. Sorted numerically (Terraform's sort() is lexical).
  price_to_alert_bounds = [
    for b in sort([
      for b in distinct(concat(
        [1000, 2000, 5000, 10000, 15000, 20000, 30000, 45000, 60000, 90000, 120000, 180000, 300000, 600000],
        [var.service_levels.price_to_alert_ms],
      )) : format("%010d", b)
    ]) : tonumber(b)
  ]

  log_metric_types = {
    for k, m in {
      shard_valuation_time = google_logging_metric.shard_valuation_time
      portfolios_valued    = google_logging_metric.portfolios_valued
      price_to_alert       = google_logging_metric.price_to_alert
      notification_latency = google_logging_metric.notification_latency
    } : k => "logging.googleapis.com/user/${m.name}"
  }
}

# Time to value one shard at one tick (query, valuation, VaR/ES, metrics, warehouse rows, publish).
resource "google_logging_metric" "shard_valuation_time" {
  project = var.project_id
  name    = "fusion-risk-shard-valuation-time"
  filter  = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"${local.log_messages.shard_valued}\" AND jsonPayload.durationMs:*"

  value_extractor = "EXTRACT(jsonPayload.durationMs)"

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "ms"
    display_name = "Shard valuation time (${var.environment})"
  }

  # 10 ms to about 70 minutes (10 x 1.5^32 ms), beyond any function's timeout.
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 32
      growth_factor      = 1.5
      scale              = 10
    }
  }
}

# Portfolios valued per shard; summed over the shards of a tick (one tick a minute) it is portfolios per tick.
resource "google_logging_metric" "portfolios_valued" {
  project = var.project_id
  name    = "fusion-risk-portfolios-valued"
  filter  = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"${local.log_messages.shard_valued}\" AND jsonPayload.valued:*"

  value_extractor = "EXTRACT(jsonPayload.valued)"

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "1"
    display_name = "Portfolios valued per shard (${var.environment})"
  }

  bucket_options {
    exponential_buckets {
      num_finite_buckets = 20 # up to 2^20 portfolios per shard
      growth_factor      = 2
      scale              = 1
    }
  }
}

# From the price tick (its asOf) to the margin alert on alerts.margin.v1: the whole path ingestPrices ->
# computePortfolioRisk -> detectMarginEvents, retries and cold starts included. The price-to-alert SLO reads it.
resource "google_logging_metric" "price_to_alert" {
  project = var.project_id
  name    = "fusion-risk-price-to-alert"
  filter  = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"${local.log_messages.margin_alert_published}\" AND jsonPayload.priceToAlertMs:*"

  value_extractor = "EXTRACT(jsonPayload.priceToAlertMs)"
  label_extractors = {
    to_state = "EXTRACT(jsonPayload.toState)"
  }

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "ms"
    display_name = "Price-to-alert latency (${var.environment})"

    labels {
      key         = "to_state"
      value_type  = "STRING"
      description = "Health state the alert moves the portfolio to (WARNING, MARGIN_CALL, LIQUIDATION, HEALTHY)."
    }
  }

  bucket_options {
    explicit_buckets {
      bounds = local.price_to_alert_bounds
    }
  }
}

# Provider latency of each delivery attempt, per channel, from the attempt line notification_attempts counts. A
# dispatch refused before any send (no destination) logs latency 0 and is left out.
resource "google_logging_metric" "notification_latency" {
  project = var.project_id
  name    = "fusion-risk-notification-latency"
  filter  = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"${var.delivery_log.message}\" AND jsonPayload.channel:* AND jsonPayload.latencyMs>0"

  value_extractor = "EXTRACT(jsonPayload.latencyMs)"
  label_extractors = {
    channel = "EXTRACT(jsonPayload.channel)"
  }

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "ms"
    display_name = "Notification delivery latency (${var.environment})"

    labels {
      key         = "channel"
      value_type  = "STRING"
      description = "email, sms, webhook, ..."
    }
  }

  # 10 ms to about 30 minutes (10 x 1.5^30 ms).
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 30
      growth_factor      = 1.5
      scale              = 10
    }
  }
}

# Daily closes missing inside the VaR window, which VaR was computed without (README: Missing daily closes): one
# count per line (repeated every 30 minutes per instance while the close is missing), labelled by asset (the date stays in the log line: a label per day would
# grow without bound). The history_gaps alert policy (main.tf) reads it.
resource "google_logging_metric" "history_gaps" {
  project = var.project_id
  name    = "fusion-risk-history-gaps"
  filter  = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=\"${local.log_messages.history_gap}\" AND jsonPayload.asset:*"

  label_extractors = {
    asset = "EXTRACT(jsonPayload.asset)"
  }

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Daily closes VaR was computed without (${var.environment})"

    labels {
      key         = "asset"
      value_type  = "STRING"
      description = "Asset whose daily close is missing inside the VaR window."
    }
  }
}
