terraform {
  required_version = ">= 1.9, < 2.0"

  required_providers {
    google = {
      source = "hashicorp/google"
      # Exactly the release the devDependency @cdktf/provider-google was generated from: the tests check every
      # resource against that schema offline (provider-schema.test.ts), so another release could reject a
      # field they accepted. Move both together.
      version = "= 6.50.0"
    }
  }
}
