export type * from './generated/types';
export type { SchemaTypes } from './generated/types';
