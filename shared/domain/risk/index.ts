export * from './errors';
export * from './history';
export * from './engine';
export * from './margin';
export * from './backtest';
export { binomialCdf, chiSquareSurvival } from './stats';
