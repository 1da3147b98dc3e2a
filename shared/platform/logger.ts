import type { Logger, Severity } from '../ports/logger';
import { redact, redactText } from './redact';

export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + '\n');
};

const SEVERITY_RANK: Record<Severity, number> = {
  DEBUG: 100,
  INFO: 200,
  NOTICE: 300,
  WARNING: 400,
  ERROR: 500,
  CRITICAL: 600,
  ALERT: 700,
};

export interface LoggerOptions {
  sink?: LogSink;
  minSeverity?: Severity;
  /** Project id used to turn a trace id into Cloud Logging's trace resource name. */
  projectId?: string;
  fields?: Record<string, unknown>;
}

/**
 * Structured logs in Cloud Logging's JSON format (one object per line, `severity`, `message`, `time`,
 * `logging.googleapis.com/trace`). Every field passes through redaction before it is written.
 */
export class StructuredLogger implements Logger {
  private readonly sink: LogSink;
  private readonly min: number;

  constructor(private readonly options: LoggerOptions = {}) {
    this.sink = options.sink ?? stdoutSink;
    this.min = SEVERITY_RANK[options.minSeverity ?? 'DEBUG'];
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('DEBUG', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.write('INFO', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('WARNING', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.write('ERROR', message, fields);
  }

  child(fields: Record<string, unknown>): Logger {
    return new StructuredLogger({ ...this.options, fields: { ...this.options.fields, ...fields } });
  }

  private write(severity: Severity, message: string, fields?: Record<string, unknown>): void {
    if (SEVERITY_RANK[severity] < this.min) return;
    const { traceId, ...rest } = { ...this.options.fields, ...fields } as Record<string, unknown>;
    // Fields first: a field named severity/message/time must never relabel the entry.
    const entry: Record<string, unknown> = {
      ...(redact(rest) as Record<string, unknown>),
      severity,
      message: redactText(message),
      time: new Date().toISOString(),
    };
    if (typeof traceId === 'string' && traceId) {
      entry['logging.googleapis.com/trace'] = this.options.projectId
        ? `projects/${this.options.projectId}/traces/${traceId}`
        : traceId;
    }
    this.sink(JSON.stringify(entry));
  }
}
