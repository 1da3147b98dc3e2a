# Example, non-secret values for the staging environment. Secret values never go here: they are added to Secret
# Manager out of band (gcloud secrets versions add <NAME> --data-file=-).
project_id         = "fusion-risk-staging"
region             = "europe-west1"
bigquery_location  = "EU"
storage_location   = "EU"
firestore_location = "eur3"

deletion_protection    = true
lock_archive_retention = false

mv_refresh_interval_minutes = 30
min_instances               = {}
max_instances = {
  computePortfolioRisk = 10
}
pause_schedules = false

# Non-secret settings the functions' configuration requires outside local (example values: replace them); "{url:<fn>}"
# becomes that function's URL. Secrets (API keys, auth tokens, webhook secrets) are Secret Manager references from
# the topology, never set here.
function_environment = {
  startKyc = { PERSONA_INQUIRY_TEMPLATE_ID = "itmpl_ExampleStaging", KYC_START_AUDIENCE = "{url:startKyc}" }
  fanOutNotifications = {
    NOTIFY_EMAIL_FROM  = "alerts@staging.fusion-risk.example"
    TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
    TWILIO_FROM_NUMBER = "+15005550006"
  }
  deliverNotification = {
    NOTIFY_EMAIL_FROM  = "alerts@staging.fusion-risk.example"
    TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
    TWILIO_FROM_NUMBER = "+15005550006"
  }
  notificationPreferences = { NOTIFY_PREFERENCES_AUDIENCE = "{url:notificationPreferences}" }
  riskAdmin = {
    RISK_ADMIN_AUDIENCE = "{url:riskAdmin}"
    RISK_ADMINS         = "risk-head@staging.fusion-risk.example,cro@staging.fusion-risk.example"
    RISK_OPERATORS      = "risk-oncall@staging.fusion-risk.example"
  }
  # The pre-trade check: ID tokens for its own URL, from platform_service_accounts only (its RISK_CHECK_CALLERS).
  checkRisk = { RISK_CHECK_AUDIENCE = "{url:checkRisk}" }
  # The desk's read API, called from browsers: Google Identity Services ID tokens, whose audience is the dashboard's
  # OAuth client id (example value: replace it); who reads which desk; the dashboard's origin for CORS.
  riskApi = {
    RISK_API_AUDIENCE        = "000000000000-riskdashboard.apps.googleusercontent.com"
    RISK_API_ACCESS          = "risk-head@staging.fusion-risk.example=*;cro@staging.fusion-risk.example=*;lending-desk@staging.fusion-risk.example=default"
    RISK_API_ALLOWED_ORIGINS = "https://risk.staging.fusion-risk.example"
  }
  # The lending platform's synchronous AML check: ID tokens for its own URL, from platform_service_accounts only.
  screenTransaction = { SCREEN_TRANSACTION_AUDIENCE = "{url:screenTransaction}" }
  # The compliance officers' case tool, called from the dashboard in browsers like riskApi: the dashboard's OAuth
  # client id as ID-token audience (example value: replace it) and its origin for CORS; who is what below.
  complianceCases = {
    COMPLIANCE_CASES_AUDIENCE        = "000000000000-riskdashboard.apps.googleusercontent.com"
    COMPLIANCE_CASES_ALLOWED_ORIGINS = "https://risk.staging.fusion-risk.example"
  }
}

# The lending platform's service accounts (e-mails, without serviceAccount:). What the platform may do is declared in
# shared/contracts/topology.json (outsideCallers.platform): publish to portfolio.positions.v1 and
# compliance.transactions.v1, call checkRisk and screenTransaction (run.invoker, and so their RISK_CHECK_CALLERS and
# SCREEN_TRANSACTION_CALLERS). Replaces screen_transaction_callers and a checkRisk entry in api_invokers.
platform_service_accounts = ["lending-platform@fusion-risk-staging.iam.gserviceaccount.com"]

# The compliance case tool's users (example addresses: replace them): e-mail => officer, senior_officer, auditor.
compliance_case_roles = {
  "compliance-head@staging.fusion-risk.example"    = ["officer", "senior_officer"]
  "compliance-officer@staging.fusion-risk.example" = ["officer"]
  "internal-audit@staging.fusion-risk.example"     = ["auditor"]
}
# Auditors see cases without the decrypted personal data.
compliance_auditors_see_personal_data = false
# Case deadlines per alert severity, in hours.
case_sla_hours = { CRITICAL = 4, WARNING = 24, INFO = 72 }

# Who may call the HTTP APIs (nobody until named here), e.g. the lending platform's backend service account.
api_invokers = {
  startKyc                = ["serviceAccount:lending-platform@fusion-risk-staging.iam.gserviceaccount.com"]
  notificationPreferences = ["serviceAccount:lending-platform@fusion-risk-staging.iam.gserviceaccount.com"]
  # People: the risk desk signs in with its Google accounts; riskAdmin itself checks RISK_ADMINS / RISK_OPERATORS.
  riskAdmin = ["group:risk-desk@staging.fusion-risk.example"]
}

# The HTTPS load balancer in front of the public functions (example domain: replace it). Point it at the
# edge_ip_address output with an A record, or set edge_dns_zone to a Cloud DNS zone of this project that serves it.
# Persona's webhook URL is the public_endpoints output (https://<domain>/persona-webhook).
edge_domains = ["hooks.staging.fusion-risk.example"]

# The risk dashboard, on its own name through the same load balancer (riskApi allows this origin).
dashboard_domains = ["risk.staging.fusion-risk.example"]

# Service levels: unset attributes keep modules/monitoring's defaults (every function 99.5 % of requests not 5xx,
# the Persona webhook 95 % of answers within 1 s, margin alerts 99 % within 60 s of their price tick, over a rolling
# 7 days), e.g. service_levels = { price_to_alert_ms = 45000 }.
# PagerDuty for CRITICAL alerts only: a pagerduty notification channel created once out of band with the integration
# key (terraform/README.md), e.g. pagerduty_channel = "projects/<project>/notificationChannels/<id>". Unset: email only.
