terraform {
  # State lives in a GCS bucket created once, outside these roots (versioned, uniform access). The bucket is
  # supplied at init so the same roots work for any organisation:
  #   terraform init -backend-config="bucket=<state bucket>"
  backend "gcs" {
    prefix = "fusion-risk/staging"
  }
}
