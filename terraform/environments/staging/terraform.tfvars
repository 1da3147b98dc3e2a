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
