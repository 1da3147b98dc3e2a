/** Every entry point, for tools that load them all (`functions-framework --source`). */
import './ingest-prices';
import './compute-portfolio-risk';
import './detect-margin-events';
import './persona-webhook';
import './start-kyc';
import './evaluate-aml';
import './fan-out-notifications';
import './deliver-notification';
import './notification-preferences';
import './risk-admin';
import './refresh-materialized-views';
import './archive-cold-data';
import './check-risk';
import './evaluate-risk-limits';
import './record-alerts';
import './risk-api';
