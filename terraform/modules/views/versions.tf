terraform {
  # A data-only module like modules/topology: it reads the views and their generated SQL and needs no provider, so
  # the project's tests evaluate it offline.
  required_version = ">= 1.9, < 2.0"
}
