output "notification_channels" {
  description = "Email => notification channel id."
  value       = { for e, c in google_monitoring_notification_channel.email : e => c.id }
}

output "alert_policies" {
  description = "Alert policy ids by kind: dead_letter_backlog (per topic), function_error_rate (per function), notification_success (per channel), slo_fast_burn and slo_slow_burn (per SLO), uptime (per checked endpoint), history_gaps (one: VaR computed without a missing daily close)."
  value = {
    dead_letter_backlog  = { for k, p in google_monitoring_alert_policy.dead_letter_backlog : k => p.id }
    function_error_rate  = { for k, p in google_monitoring_alert_policy.function_error_rate : k => p.id }
    notification_success = { for k, p in google_monitoring_alert_policy.notification_success : k => p.id }
    slo_fast_burn        = { for k, p in google_monitoring_alert_policy.slo_fast_burn : k => p.id }
    slo_slow_burn        = { for k, p in google_monitoring_alert_policy.slo_slow_burn : k => p.id }
    uptime               = { for k, p in google_monitoring_alert_policy.uptime : k => p.id }
    history_gaps         = google_monitoring_alert_policy.history_gaps.id
  }
}

output "slos" {
  description = "SLO (\"<function> availability\", \"<function> latency\", \"priceToAlert latency\") => its resource name (projects/.../services/.../serviceLevelObjectives/...)."
  value       = local.slos
}

output "uptime_checks" {
  description = "Checked endpoint (public function or dashboard) => uptime check id."
  value       = { for k, c in google_monitoring_uptime_check_config.endpoint : k => c.uptime_check_id }
}

output "dashboard" {
  description = "Id of the operations dashboard (Cloud Monitoring > Dashboards)."
  value       = google_monitoring_dashboard.operations.id
}

output "history_gap_metric_type" {
  description = "Metric type of the log-based counter of daily closes VaR was computed without (label asset)."
  value       = local.history_gap_metric
}

output "delivery_metric_type" {
  description = "Metric type of the log-based notification delivery counter (labels channel, outcome)."
  value       = local.delivery_metric
}

output "log_metric_types" {
  description = "Metric types of the log-based distributions: shard_valuation_time, portfolios_valued, price_to_alert, notification_latency."
  value       = local.log_metric_types
}
