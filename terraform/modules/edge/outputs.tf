output "ip_address" {
  description = "The load balancer's IPv4 address: point every domain at it (an A record), unless dns_zone creates the records."
  value       = google_compute_global_address.edge.address
}

output "endpoints" {
  description = "Public function (topology key) => its URL on the first domain, https://<domain>/<folder>: the URL to give callers (the Persona webhook URL), never the function's own URL, which refuses internet traffic."
  value       = { for name, path in local.paths : name => "https://${var.domains[0]}${path}" }
}

output "security_policies" {
  description = "Public function (topology key) => id of the Cloud Armor policy in front of it."
  value       = { for name, p in google_compute_security_policy.fn : name => p.id }
}

output "backend_services" {
  description = "Public function (topology key) => id of its backend service."
  value       = { for name, b in google_compute_backend_service.fn : name => b.id }
}

output "certificate" {
  description = "Id of the Google-managed certificate; it turns ACTIVE once every domain resolves to ip_address."
  value       = google_compute_managed_ssl_certificate.edge.id
}

output "dashboard" {
  description = "The risk dashboard: the bucket Cloud Build uploads dashboard/dist to, and its URL (null without dashboard_domains)."
  value = local.dashboard ? {
    bucket = google_storage_bucket.dashboard[0].name
    url    = "https://${var.dashboard_domains[0]}"
  } : null
}
