# The only way in from the internet: a global external Application Load Balancer in front of every function the
# topology marks "public": true (their ingress admits internal traffic and this load balancer only; see the
# functions module). Each function gets a serverless network endpoint group, a backend service and a Cloud Armor
# policy of its own, and the path /<folder> (e.g. https://<domain>/persona-webhook for the Persona webhook).
#
# Why in front and not in the code: the Functions Framework inflates a Content-Encoding: gzip body (up to 1 GB)
# before any of our code runs, so a 600 KB request took an instance from 96 MB to 1.3 GB. Cloud Armor decides on
# the request headers at Google's edge, so a refused request never reaches the function:
#   - any Content-Encoding is refused (Persona never compresses its deliveries);
#   - a Content-Length above the function's maxBodyBytes is refused;
#   - a body of unknown size (POST, PUT or PATCH without Content-Length, or Transfer-Encoding) is refused;
#   - a path other than the function's own is answered 404;
#   - then each client IP is rate limited, and the rest is allowed.

module "topology" {
  source = "../topology"

  topology_path = var.topology_path
}

locals {
  public = module.topology.public_functions

  # Resource names (1-63 characters, RFC 1035): fr-<environment>-<folder>, cut to fit.
  names = { for name, f in local.public : name => trimsuffix(substr("fr-${var.environment}-${f.folder}", 0, 63), "-") }
  paths = { for name, f in local.public : name => "/${f.folder}" }

  # Requests that match no path rule (and requests for another host) go to the first function's backend, whose
  # policy answers 404 to any path but its own.
  default_function = try(sort(keys(local.public))[0], null)

  # Cloud Armor's default rule: the lowest priority, matching every source address.
  default_priority = 2147483647
}

# ---------------------------------------------------------------------------------------------------------------
# Per public function: serverless NEG -> backend service (with its Cloud Armor policy)
# ---------------------------------------------------------------------------------------------------------------

resource "google_compute_region_network_endpoint_group" "fn" {
  for_each = local.public

  project               = var.project_id
  region                = var.region
  name                  = local.names[each.key]
  description           = "Cloud Run service of the ${each.key} function (${var.environment})."
  network_endpoint_type = "SERVERLESS"

  # A 2nd gen function is a Cloud Run service named like the function.
  cloud_run {
    service = var.function_names[each.key]
  }

  lifecycle {
    precondition {
      condition     = contains(keys(var.function_names), each.key)
      error_message = "function_names has no entry for the public function ${each.key}."
    }
  }
}

resource "google_compute_security_policy" "fn" {
  for_each = local.public

  project     = var.project_id
  name        = local.names[each.key]
  description = "In front of ${each.key} (${var.environment}): no compressed bodies, at most ${each.value.max_body_bytes} bytes, its own path only, rate limited per client IP."
  type        = "CLOUD_ARMOR"

  # Deny rules first: Cloud Armor applies the first matching rule by priority, and the throttle rule below allows
  # what it matches.
  rule {
    priority    = 1000
    action      = "deny(403)"
    description = "Compressed body: any Content-Encoding"
    match {
      expr {
        expression = "has(request.headers['content-encoding'])"
      }
    }
  }

  rule {
    priority    = 1010
    action      = "deny(403)"
    description = "Body larger than the function accepts"
    match {
      expr {
        expression = "has(request.headers['content-length']) && int(request.headers['content-length']) > ${each.value.max_body_bytes}"
      }
    }
  }

  rule {
    priority    = 1020
    action      = "deny(403)"
    description = "Body of unknown size: no Content-Length"
    match {
      expr {
        expression = "!has(request.headers['content-length']) && (request.method == 'POST' || request.method == 'PUT' || request.method == 'PATCH')"
      }
    }
  }

  rule {
    priority    = 1030
    action      = "deny(403)"
    description = "Body of unknown size: Transfer-Encoding"
    match {
      expr {
        expression = "has(request.headers['transfer-encoding'])"
      }
    }
  }

  rule {
    priority    = 1040
    action      = "deny(404)"
    description = "Not this function's path"
    match {
      expr {
        expression = "request.path != '${local.paths[each.key]}' && !request.path.startsWith('${local.paths[each.key]}/')"
      }
    }
  }

  rule {
    priority    = 2000
    action      = "throttle"
    description = "Rate limit per client IP"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.rate_limit.count
        interval_sec = var.rate_limit.interval_sec
      }
    }
  }

  rule {
    priority    = local.default_priority
    action      = "allow"
    description = "Default rule"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }
}

resource "google_compute_backend_service" "fn" {
  for_each = local.public

  project               = var.project_id
  name                  = local.names[each.key]
  description           = "The ${each.key} function (${var.environment}), behind its Cloud Armor policy."
  load_balancing_scheme = "EXTERNAL_MANAGED"
  security_policy       = google_compute_security_policy.fn[each.key].id

  backend {
    group = google_compute_region_network_endpoint_group.fn[each.key].id
  }

  # Every request and every Cloud Armor decision, to see what was refused and why.
  log_config {
    enable      = true
    sample_rate = 1
  }
}

# ---------------------------------------------------------------------------------------------------------------
# The risk dashboard: its built files (dashboard/dist, uploaded by Cloud Build) behind the same load balancer
# ---------------------------------------------------------------------------------------------------------------

locals {
  dashboard           = length(var.dashboard_domains) > 0
  certificate_domains = sort(concat(var.domains, var.dashboard_domains))
}

# HTML, JavaScript and CSS holding no data: every figure the dashboard shows comes from riskApi, which requires a
# desk identity's Google ID token. So, like any web app's bundle, the files are readable by anyone; this bucket
# holds nothing else (Cloud Build replaces its whole content on each deploy).
resource "google_storage_bucket" "dashboard" {
  count = local.dashboard ? 1 : 0

  project                     = var.project_id
  name                        = "${var.project_id}-fr-${var.environment}-dashboard"
  location                    = upper(var.region)
  uniform_bucket_level_access = true
  public_access_prevention    = "inherited"
  force_destroy               = true

  website {
    main_page_suffix = "index.html"
    not_found_page   = "index.html"
  }
}

resource "google_storage_bucket_iam_member" "dashboard_public" {
  count = local.dashboard ? 1 : 0

  bucket = google_storage_bucket.dashboard[0].name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_compute_backend_bucket" "dashboard" {
  count = local.dashboard ? 1 : 0

  project          = var.project_id
  name             = "fr-${var.environment}-dashboard"
  description      = "The risk dashboard's static files (${var.environment})."
  bucket_name      = google_storage_bucket.dashboard[0].name
  enable_cdn       = true
  compression_mode = "AUTOMATIC"
  custom_response_headers = [
    "X-Content-Type-Options: nosniff",
    "Referrer-Policy: no-referrer",
    "X-Frame-Options: DENY",
  ]
}

# ---------------------------------------------------------------------------------------------------------------
# One URL map, certificate, proxy, address and forwarding rule (HTTPS only: nothing listens on port 80)
# ---------------------------------------------------------------------------------------------------------------

resource "google_compute_url_map" "edge" {
  project         = var.project_id
  name            = "fr-${var.environment}-edge"
  description     = "Public functions of Fusion Risk (${var.environment}): /<folder> => that function."
  default_service = google_compute_backend_service.fn[local.default_function].id

  host_rule {
    hosts        = var.domains
    path_matcher = "functions"
  }

  dynamic "host_rule" {
    for_each = local.dashboard ? [1] : []
    content {
      hosts        = var.dashboard_domains
      path_matcher = "dashboard"
    }
  }

  dynamic "path_matcher" {
    for_each = local.dashboard ? [1] : []
    content {
      name            = "dashboard"
      default_service = google_compute_backend_bucket.dashboard[0].id
    }
  }

  path_matcher {
    name            = "functions"
    default_service = google_compute_backend_service.fn[local.default_function].id

    dynamic "path_rule" {
      for_each = local.public
      content {
        paths   = [local.paths[path_rule.key], "${local.paths[path_rule.key]}/*"]
        service = google_compute_backend_service.fn[path_rule.key].id
      }
    }
  }

  lifecycle {
    precondition {
      condition     = local.default_function != null
      error_message = "The topology marks no function public: there is nothing for the load balancer to serve."
    }
  }
}

# Named after its domains: a change of domains creates the new certificate before the old one is released.
resource "google_compute_managed_ssl_certificate" "edge" {
  project = var.project_id
  name    = "fr-${var.environment}-edge-${substr(sha256(join(",", local.certificate_domains)), 0, 8)}"

  managed {
    domains = local.certificate_domains
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_ssl_policy" "edge" {
  project         = var.project_id
  name            = "fr-${var.environment}-edge"
  description     = "TLS 1.2 or later, modern ciphers only."
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_target_https_proxy" "edge" {
  project          = var.project_id
  name             = "fr-${var.environment}-edge"
  url_map          = google_compute_url_map.edge.id
  ssl_certificates = [google_compute_managed_ssl_certificate.edge.id]
  ssl_policy       = google_compute_ssl_policy.edge.id
}

resource "google_compute_global_address" "edge" {
  project    = var.project_id
  name       = "fr-${var.environment}-edge"
  ip_version = "IPV4"
}

resource "google_compute_global_forwarding_rule" "edge" {
  project               = var.project_id
  name                  = "fr-${var.environment}-edge-https"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  ip_address            = google_compute_global_address.edge.id
  port_range            = "443"
  target                = google_compute_target_https_proxy.edge.id
}

# Optional: the A records, when the domains are served by a Cloud DNS zone of this project.
resource "google_dns_record_set" "edge" {
  for_each = var.dns_zone == null ? toset([]) : toset(local.certificate_domains)

  project      = var.project_id
  managed_zone = var.dns_zone
  name         = "${each.value}."
  type         = "A"
  ttl          = 300
  rrdatas      = [google_compute_global_address.edge.address]
}
