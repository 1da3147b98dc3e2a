import type { LogSink } from '../../shared/platform/logger';

/** Keeps entries in memory: tests read them back to check what would have reached Cloud Logging. */
export class CapturingSink {
  readonly lines: string[] = [];
  readonly sink: LogSink = (line) => {
    this.lines.push(line);
  };
  entries(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
