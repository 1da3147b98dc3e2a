/** Every entry point, for tools that load them all (the local stack, `functions-framework --source`). */
export * from './ingest-prices';
export * from './compute-portfolio-risk';
export * from './detect-margin-events';
export * from './persona-webhook';
export * from './start-kyc';
export * from './evaluate-aml';
export * from './fan-out-notifications';
export * from './deliver-notification';
export * from './notification-preferences';
export * from './refresh-materialized-views';
export * from './archive-cold-data';
