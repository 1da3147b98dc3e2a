# ---------------------------------------------------------------------------------------------------------------
# The operations dashboard of one environment (Cloud Monitoring > Dashboards > "Fusion Risk <env>: operations"):
# the figures the SLOs and alerts are about, side by side, two tiles a row.
# ---------------------------------------------------------------------------------------------------------------

locals {
  # One line per group of a metric's series: { filter, aligner, reducer, group_by, legend }.
  series = {
    for name, s in {
      price_to_alert_p50 = { metric = local.log_metric_types.price_to_alert, aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_50", group_by = [], legend = "p50" }
      price_to_alert_p99 = { metric = local.log_metric_types.price_to_alert, aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_99", group_by = [], legend = "p99" }
      shard_time_p50     = { metric = local.log_metric_types.shard_valuation_time, aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_50", group_by = [], legend = "p50" }
      shard_time_p99     = { metric = local.log_metric_types.shard_valuation_time, aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_99", group_by = [], legend = "p99" }
      notification_p50   = { metric = local.log_metric_types.notification_latency, aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_50", group_by = ["metric.label.channel"], legend = "p50 $${metric.labels.channel}" }
      notification_p99   = { metric = local.log_metric_types.notification_latency, aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_99", group_by = ["metric.label.channel"], legend = "p99 $${metric.labels.channel}" }
      } : name => {
      timeSeriesQuery = {
        timeSeriesFilter = {
          filter = "metric.type=\"${s.metric}\" AND resource.type=\"cloud_run_revision\""
          aggregation = {
            alignmentPeriod    = "60s"
            perSeriesAligner   = s.aligner
            crossSeriesReducer = s.reducer
            groupByFields      = s.group_by
          }
        }
      }
      plotType       = "LINE"
      legendTemplate = s.legend
      targetAxis     = "Y1"
    }
  }

  # Functions whose answers are charted by status code, with the tile's title. checkRisk answers every pre-trade
  # decision, approval and denial alike, with 200, and 503 (which the lending platform must treat as a denial) when
  # it cannot decide; denials by reason are in risk.pre_trade_decisions (BigQuery): no log line carries them.
  answer_charts = {
    checkRisk = "Pre-trade checks (checkRisk): 200 = decision, 503 = treated as denied"
  }
  dead_letter_regex = join("|", [for s in values(var.dead_letter_subscriptions) : replace(s, ".", "\\\\.")])

  dashboard_widgets = concat(
    [
      {
        title = "Price tick to margin alert (SLO: ${format("%g", var.service_levels.price_to_alert_goal * 100)}% within ${format("%g", var.service_levels.price_to_alert_ms / 1000)} s)"
        xyChart = {
          dataSets   = [local.series.price_to_alert_p50, local.series.price_to_alert_p99]
          thresholds = [{ value = var.service_levels.price_to_alert_ms, label = "SLO threshold", targetAxis = "Y1" }]
          yAxis      = { label = "ms", scale = "LINEAR" }
        }
      },
      {
        title = "Shard valuation time"
        xyChart = {
          dataSets = [local.series.shard_time_p50, local.series.shard_time_p99]
          yAxis    = { label = "ms", scale = "LINEAR" }
        }
      },
      {
        # Sum over a tick's shards (one tick a minute) of the portfolios each valued: the distribution's sum.
        title = "Portfolios valued per tick"
        xyChart = {
          dataSets = [{
            timeSeriesQuery = {
              # PromQL's name of logging.googleapis.com/user/<name>; a distribution has _sum, _count, _bucket.
              prometheusQuery = "sum(increase(logging_googleapis_com:user_${replace(google_logging_metric.portfolios_valued.name, "-", "_")}_sum[1m]))"
            }
            plotType       = "LINE"
            legendTemplate = "portfolios"
            targetAxis     = "Y1"
          }]
          yAxis = { label = "portfolios", scale = "LINEAR" }
        }
      },
      {
        title = "Notification delivery latency per channel"
        xyChart = {
          dataSets = [local.series.notification_p50, local.series.notification_p99]
          yAxis    = { label = "ms", scale = "LOG10" }
        }
      },
      {
        title = "Function 5xx share"
        xyChart = {
          dataSets = [{
            timeSeriesQuery = {
              timeSeriesFilterRatio = {
                numerator = {
                  filter      = "metric.type=\"run.googleapis.com/request_count\" AND resource.type=\"cloud_run_revision\" AND metric.label.response_code_class=\"5xx\""
                  aggregation = { alignmentPeriod = "300s", perSeriesAligner = "ALIGN_DELTA", crossSeriesReducer = "REDUCE_SUM", groupByFields = ["resource.label.service_name"] }
                }
                denominator = {
                  filter      = "metric.type=\"run.googleapis.com/request_count\" AND resource.type=\"cloud_run_revision\""
                  aggregation = { alignmentPeriod = "300s", perSeriesAligner = "ALIGN_DELTA", crossSeriesReducer = "REDUCE_SUM", groupByFields = ["resource.label.service_name"] }
                }
              }
            }
            plotType       = "LINE"
            legendTemplate = "$${resource.labels.service_name}"
            targetAxis     = "Y1"
          }]
          thresholds = [{ value = var.function_error_rate.threshold, label = "error-rate alert", targetAxis = "Y1" }]
          yAxis      = { label = "share of requests", scale = "LINEAR" }
        }
      },
      {
        title = "Dead-letter backlog"
        xyChart = {
          dataSets = [{
            timeSeriesQuery = {
              timeSeriesFilter = {
                filter      = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.type=\"pubsub_subscription\" AND resource.label.subscription_id=monitoring.regex.full_match(\"${local.dead_letter_regex}\")"
                aggregation = { alignmentPeriod = "60s", perSeriesAligner = "ALIGN_MAX", crossSeriesReducer = "REDUCE_SUM", groupByFields = ["resource.label.subscription_id"] }
              }
            }
            plotType       = "STACKED_BAR"
            legendTemplate = "$${resource.labels.subscription_id}"
            targetAxis     = "Y1"
          }]
          yAxis = { label = "messages", scale = "LINEAR" }
        }
      },
      {
        title = "SLO burn rate over ${local.burn_rates.fast.long_minutes} min (fast-burn page above ${local.burn_rates.fast.threshold})"
        xyChart = {
          dataSets = [for name, slo in local.slos : {
            timeSeriesQuery = {
              timeSeriesFilter = {
                filter = "select_slo_burn_rate(\"${slo}\", \"${local.burn_rates.fast.long}\")"
              }
            }
            plotType       = "LINE"
            legendTemplate = name
            targetAxis     = "Y1"
          }]
          thresholds = [{ value = local.burn_rates.fast.threshold, label = "fast burn", targetAxis = "Y1" }]
          yAxis      = { label = "x budget rate", scale = "LINEAR" }
        }
      },
    ],
    [
      for name, title in local.answer_charts : {
        title = title
        xyChart = {
          dataSets = [{
            timeSeriesQuery = {
              timeSeriesFilter = {
                filter      = local.requests[name]
                aggregation = { alignmentPeriod = "60s", perSeriesAligner = "ALIGN_RATE", crossSeriesReducer = "REDUCE_SUM", groupByFields = ["metric.label.response_code"] }
              }
            }
            plotType       = "STACKED_AREA"
            legendTemplate = "$${metric.labels.response_code}"
            targetAxis     = "Y1"
          }]
          yAxis = { label = "requests/s", scale = "LINEAR" }
        }
      } if contains(keys(var.functions), name)
    ],
  )
}

resource "google_monitoring_dashboard" "operations" {
  project = var.project_id
  dashboard_json = jsonencode({
    displayName = "Fusion Risk ${var.environment}: operations"
    mosaicLayout = {
      columns = 48
      tiles = [for i, w in local.dashboard_widgets : {
        xPos   = (i % 2) * 24
        yPos   = floor(i / 2) * 16
        width  = 24
        height = 16
        widget = w
      }]
    }
  })
}
