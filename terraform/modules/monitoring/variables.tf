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
