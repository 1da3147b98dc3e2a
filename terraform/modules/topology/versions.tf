terraform {
  # A data-only module: it derives plain values from the topology and needs no provider, which also lets the
  # project's tests evaluate it offline (test/unit/terraform).
  required_version = ">= 1.9, < 2.0"
}
