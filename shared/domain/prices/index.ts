export * from './types';
export * from './decimal';
export * from './config';
export * from './validation';
export * from './circuit-breaker';
export * from './aggregation';
export * from './ticks';
