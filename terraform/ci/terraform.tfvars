# Example values (replace them): the project the builds run in, the GitHub connection created there once by hand
# (terraform/README.md, "Cloud Build triggers"), the repository, and who builds and approves.
project_id     = "fusion-risk-ci"
region         = "europe-west1"
connection     = "fusion-risk-github"
repository_uri = "https://github.com/example-org/fusion-risk.git"

# The apply builds' identity: it plans and applies every environment (roles listed at the top of cloudbuild.yaml).
service_account = "projects/fusion-risk-ci/serviceAccounts/fusion-risk-deployer@fusion-risk-ci.iam.gserviceaccount.com"
# Plans of pull requests run as an account that can read the environments and lock the state, not change them.
plan_service_account = "projects/fusion-risk-ci/serviceAccounts/fusion-risk-planner@fusion-risk-ci.iam.gserviceaccount.com"

main_branch    = "main"
release_branch = "release"

substitutions = {
  _TF_STATE_BUCKET = "fusion-risk-tfstate"
  _ARTIFACT_BUCKET = "fusion-risk-build-artifacts"
}
# The dashboard's OAuth client per environment (riskApi's RISK_API_AUDIENCE; example values: replace them).
apply_substitutions = {
  dev     = { _DASHBOARD_OAUTH_CLIENT_ID = "000000000000-riskdashboard.apps.googleusercontent.com" }
  staging = { _DASHBOARD_OAUTH_CLIENT_ID = "000000000000-riskdashboard.apps.googleusercontent.com" }
  prod    = { _DASHBOARD_OAUTH_CLIENT_ID = "000000000000-riskdashboard.apps.googleusercontent.com" }
}

approvers = ["group:fusion-risk-release-approvers@example.com"]
