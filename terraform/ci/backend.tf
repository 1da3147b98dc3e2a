terraform {
  # Same state bucket as the environments, its own prefix. Applied by hand (terraform/README.md, "Cloud Build
  # triggers"), never by the pipeline:
  #   terraform init -backend-config="bucket=<state bucket>"
  backend "gcs" {
    prefix = "fusion-risk/ci"
  }
}
