/** Every entry point, for tools that load them all (the local stack, `functions-framework --source`). */
export * from './ingest-prices';
export * from './compute-portfolio-risk';
export * from './detect-margin-events';
