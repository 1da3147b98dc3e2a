/** Schemas of the operations area (view refreshes, cold archival). Merged into SCHEMAS by schema-registry.ts. */
export const OPERATIONS_SCHEMAS = {} as const;

/** Warehouse tables of this area (each one a schemas/warehouse/<table>.json registered above). */
export type OperationsTable = never;
