terraform {
  # A data-only module like modules/topology: it renders SQL from shared/contracts/warehouse-views.json and needs no
  # provider, so the project's tests evaluate it offline and compare it with the code's own rendering.
  required_version = ">= 1.9, < 2.0"
}
