import type { SourceName, SourceResult } from '../domain/prices/types';

export interface PriceSource {
  readonly name: SourceName;
  /**
   * Reads every requested asset this source is configured for. Must resolve with one entry per requested
   * asset (failures included) and should not throw; the use case still guards against a throw or a hang.
   */
  read(assets: string[], now: Date): Promise<Map<string, SourceResult>>;
}
