output "topic_ids" {
  description = "Topic name => topic id (projects/<project>/topics/<name>)."
  value       = { for k, t in google_pubsub_topic.this : k => t.id }
}

output "subscription_ids" {
  description = "Push subscription name => subscription id."
  value       = { for k, s in google_pubsub_subscription.push : k => s.id }
}

output "push_endpoints" {
  description = "Push subscription name => endpoint it delivers to."
  value       = { for k, s in google_pubsub_subscription.push : k => s.push_config[0].push_endpoint }
}

output "dead_letter_inspection_subscriptions" {
  description = "Dead-letter topic => pull subscription for inspection."
  value       = { for k, s in google_pubsub_subscription.dead_letter_inspection : k => s.id }
}

output "dead_letter_inspection_subscription_names" {
  description = "Dead-letter topic => name of its inspection pull subscription (for monitoring its backlog)."
  value       = { for k, s in google_pubsub_subscription.dead_letter_inspection : k => s.name }
}
