variable "project_id" {
  description = "Project whose functions, subscriptions and logs are monitored."
  type        = string
}

variable "environment" {
  description = "Environment name, used in display names and labels."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "alert_emails" {
  description = "Email addresses notified of every alert (one notification channel each). Empty: policies still open incidents in the console."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails must be email addresses."
  }
}

variable "functions" {
  description = "Function name (topology key) => Cloud Run service name (the function's folder): one error-rate policy each."
  type        = map(string)
}

variable "dead_letter_subscriptions" {
  description = "Dead-letter topic => name of its inspection pull subscription: a backlog there means messages were rejected or exhausted their retries."
  type        = map(string)
}

variable "function_error_rate" {
  description = "Share of a function's requests answered 5xx (over window_seconds) above which its policy fires. Push consumers answer 5xx to ask Pub/Sub for a retry, so a few are normal."
  type = object({
    threshold      = optional(number, 0.05)
    window_seconds = optional(number, 300)
  })
  default = {}

  validation {
    condition     = var.function_error_rate.threshold > 0 && var.function_error_rate.threshold < 1
    error_message = "function_error_rate.threshold must be a fraction between 0 and 1."
  }
  validation {
    condition     = var.function_error_rate.window_seconds >= 60 && var.function_error_rate.window_seconds % 60 == 0
    error_message = "function_error_rate.window_seconds must be a whole number of minutes (at least 60)."
  }
}

variable "notification_success_targets" {
  description = "Notification channel (the channel field of deliverNotification's attempt log) => target success rate in percent over success_window_seconds."
  type        = map(number)
  default = {
    email   = 99.5
    sms     = 99.0
    webhook = 99.9
  }

  validation {
    condition     = alltrue([for t in values(var.notification_success_targets) : t > 0 && t < 100])
    error_message = "Success targets are percentages strictly between 0 and 100."
  }
}

variable "delivery_log" {
  description = <<-EOT
    How deliverNotification's structured log line for one delivery attempt is recognised: jsonPayload.message equals
    message, jsonPayload.channel names the channel, jsonPayload.outcome the outcome (the outcome column of
    notifications.deliveries). success_outcome counts as delivered; retried_outcomes (a transient failure that
    Pub/Sub redelivers) are not final and count neither way, so the rate is the share of notifications that ended
    delivered. A log-based metric counts these lines by channel and outcome.
  EOT
  type = object({
    message                = optional(string, "notification delivery attempt")
    success_outcome        = optional(string, "delivered")
    retried_outcomes       = optional(list(string), ["transient_failure"])
    success_window_seconds = optional(number, 3600)
  })
  default = {}

  validation {
    condition     = var.delivery_log.success_window_seconds >= 300 && var.delivery_log.success_window_seconds % 60 == 0
    error_message = "delivery_log.success_window_seconds must be a whole number of minutes, at least 300."
  }
}

variable "dead_letter_backlog_minutes" {
  description = "Minutes a dead-letter backlog must persist before its policy fires."
  type        = number
  default     = 5

  validation {
    condition     = var.dead_letter_backlog_minutes >= 1 && var.dead_letter_backlog_minutes <= 1440
    error_message = "dead_letter_backlog_minutes must be between 1 and 1440."
  }
}

variable "pagerduty_channel" {
  description = "Name of a PagerDuty notification channel of this project (projects/<project>/notificationChannels/<id>), created once out of band with the integration key, which never goes through Terraform: CRITICAL policies (dead letters, fast SLO burn, an endpoint down) page it too. null: email only."
  type        = string
  default     = null

  validation {
    condition     = var.pagerduty_channel == null || can(regex("^projects/[^/]+/notificationChannels/[0-9]+$", var.pagerduty_channel))
    error_message = "pagerduty_channel must be projects/<project>/notificationChannels/<id>, or null."
  }
}

variable "service_levels" {
  description = <<-EOT
    The SLOs, over a rolling window of window_days (Cloud Monitoring allows 1 to 30):
    - availability_goal: share of every function's requests not answered 5xx. 0.995 over 7 days is about 50 minutes
      of a function failing outright a week: what a Pub/Sub-driven pipeline with retries and dead letters absorbs
      without losing a message, and tighter than the 5 % error-rate alert, which catches the sharp incidents;
    - latency: function => { threshold_ms, goal }: share of the function's 2xx answers within threshold_ms
      (Cloud Run's request latencies). personaWebhook: Persona waits for the answer and retries what is late; the
      handler is a signature check, one Firestore transaction and a publish, so 95 % within 1 s leaves room for
      cold starts (the function scales to zero);
    - price_to_alert_ms / price_to_alert_goal: share of margin alerts published within the threshold of their price
      tick (its asOf). Prices tick once a minute: an alert later than 60 s arrives after the next tick's prices, so
      the desk acts on a stale call. 99 % rather than more because Pub/Sub's retry backoff (10 s and up) after a
      transient failure of any of three hops lands a few alerts past it.
  EOT
  type = object({
    window_days       = optional(number, 7)
    availability_goal = optional(number, 0.995)
    latency = optional(map(object({
      threshold_ms = number
      goal         = number
    })), { personaWebhook = { threshold_ms = 1000, goal = 0.95 } })
    price_to_alert_ms   = optional(number, 60000)
    price_to_alert_goal = optional(number, 0.99)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.service_levels.window_days >= 1 && var.service_levels.window_days <= 30 && floor(var.service_levels.window_days) == var.service_levels.window_days
    error_message = "service_levels.window_days must be a whole number of days from 1 to 30."
  }
  validation {
    condition = alltrue([
      for g in concat([var.service_levels.availability_goal, var.service_levels.price_to_alert_goal], [for l in values(var.service_levels.latency) : l.goal]) :
      g > 0 && g < 1 && g <= 0.9999
    ])
    error_message = "service_levels goals must be fractions in (0, 0.9999] (e.g. 0.995), not percentages."
  }
  validation {
    condition = alltrue([
      for ms in concat([var.service_levels.price_to_alert_ms], [for l in values(var.service_levels.latency) : l.threshold_ms]) :
      ms >= 10 && ms <= 3600000 && floor(ms) == ms
    ])
    error_message = "service_levels latency thresholds must be whole milliseconds from 10 to 3600000."
  }
}

variable "burn_rate_alerts" {
  description = "Burn-rate alerts on every SLO: fast (CRITICAL, pages) and slow (WARNING, email), each firing when budget_share of the window's error budget is spent within lookback_minutes (and the same rate holds over lookback_minutes / 12). The threshold is budget_share x window hours / lookback hours: 8.4 and 2.8 for the defaults over 7 days (arithmetic in slo.tf)."
  type = object({
    fast = optional(object({
      lookback_minutes = optional(number, 60)
      budget_share     = optional(number, 0.05)
    }), {})
    slow = optional(object({
      lookback_minutes = optional(number, 360)
      budget_share     = optional(number, 0.1)
    }), {})
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([
      for a in [var.burn_rate_alerts.fast, var.burn_rate_alerts.slow] :
      a.lookback_minutes >= 60 && a.lookback_minutes % 12 == 0 && a.budget_share > 0 && a.budget_share < 1
    ])
    error_message = "burn_rate_alerts lookbacks must be at least 60 minutes and a multiple of 12 (the short window is a twelfth), budget shares fractions in (0, 1)."
  }
  validation {
    condition     = var.burn_rate_alerts.fast.lookback_minutes < var.burn_rate_alerts.slow.lookback_minutes
    error_message = "burn_rate_alerts.fast must look back less far than slow."
  }
}

variable "public_endpoints" {
  description = "Public function (topology key) => its URL through the load balancer (the edge module's endpoints): those named in uptime_checks.expected_status get an uptime check."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for u in values(var.public_endpoints) : can(regex("^https://[^/]+(/.*)?$", u))])
    error_message = "public_endpoints must be https:// URLs."
  }
}

variable "dashboard_url" {
  description = "The risk dashboard's URL (https://<first dashboard domain>): an uptime check expects 200 for GET /. null: no dashboard, no check."
  type        = string
  default     = null

  validation {
    condition     = var.dashboard_url == null || can(regex("^https://[^/]+/?$", var.dashboard_url))
    error_message = "dashboard_url must be https://<host>, or null."
  }
}

variable "uptime_checks" {
  description = "Uptime checks of the public endpoints: expected_status is public function => the status an unsigned GET without body gets from it through the load balancer (personaWebhook answers 405, \"use POST\", before any work); period_seconds between checks from each region; failing_minutes more than one region must fail before the CRITICAL policy fires."
  type = object({
    expected_status = optional(map(number), { personaWebhook = 405 })
    period_seconds  = optional(number, 60)
    failing_minutes = optional(number, 5)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([60, 300, 600, 900], var.uptime_checks.period_seconds)
    error_message = "uptime_checks.period_seconds must be 60, 300, 600 or 900."
  }
  validation {
    condition     = alltrue([for s in values(var.uptime_checks.expected_status) : s >= 100 && s <= 599 && floor(s) == s])
    error_message = "uptime_checks.expected_status values must be HTTP status codes."
  }
  validation {
    condition     = var.uptime_checks.failing_minutes >= 1 && var.uptime_checks.failing_minutes <= 60
    error_message = "uptime_checks.failing_minutes must be between 1 and 60."
  }
}
