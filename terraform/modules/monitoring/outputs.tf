output "notification_channels" {
  description = "Email => notification channel id."
  value       = { for e, c in google_monitoring_notification_channel.email : e => c.id }
}

output "alert_policies" {
  description = "Alert policy ids by kind: dead_letter_backlog (per topic), function_error_rate (per function), notification_success (per channel)."
  value = {
    dead_letter_backlog  = { for k, p in google_monitoring_alert_policy.dead_letter_backlog : k => p.id }
    function_error_rate  = { for k, p in google_monitoring_alert_policy.function_error_rate : k => p.id }
    notification_success = { for k, p in google_monitoring_alert_policy.notification_success : k => p.id }
  }
}

output "delivery_metric_type" {
  description = "Metric type of the log-based notification delivery counter (labels channel, outcome)."
  value       = local.delivery_metric
}
