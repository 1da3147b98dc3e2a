terraform {
  # The same ranges as the modules it calls. No provider block: each root configures the google provider
  # (project, region, default labels) and this module and its children inherit it.
  required_version = ">= 1.9, < 2.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.2, < 8"
    }
  }
}
