# Example, non-secret values for the dev environment. Secret values never go here: they are added to Secret
# Manager out of band (gcloud secrets versions add <NAME> --data-file=-).
project_id         = "fusion-risk-dev"
region             = "europe-west1"
bigquery_location  = "EU"
storage_location   = "EU"
firestore_location = "eur3"

deletion_protection    = false
lock_archive_retention = false

mv_refresh_interval_minutes = 30
min_instances               = {}
max_instances = {
  computePortfolioRisk = 5
}
pause_schedules = false
