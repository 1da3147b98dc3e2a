/**
 * The policies an instance evaluates with, kept in memory and re-read at most every `refreshMs` (10 s by
 * default, so a change reaches every instance well within the 30 s the desk was promised, without a
 * redeploy). A policy document that turns invalid is never used: the instance keeps that policy's last valid
 * version and reports the invalid one once per version, for an alert. If the store cannot be read, the last
 * set is served until it is `maxAgeMs` old; after that `current()` answers null, and a pre-trade check
 * denies (fail closed).
 */
import type { RiskPolicy } from '../../domain/controls/policy';
import type { Clock } from '../../ports/clock';
import type { DocumentStore } from '../../ports/document-store';
import type { Logger } from '../../ports/logger';
import { readPolicies, type InvalidPolicy } from './controls-store';

export interface PolicyCacheOptions {
  refreshMs?: number;
  maxAgeMs?: number;
  /** Called once per invalid (policy id, version): raise the alert there. */
  onInvalid?: (invalid: InvalidPolicy) => Promise<void>;
}

export class PolicyCache {
  private policies: Map<string, RiskPolicy> | null = null;
  private readAt = 0;
  private inFlight: Promise<void> | null = null;
  private readonly reported = new Set<string>();
  private readonly refreshMs: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly store: DocumentStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: PolicyCacheOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 10_000;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
  }

  /** The policies in memory, refreshed first when due; null when none was read within maxAgeMs. */
  async current(): Promise<RiskPolicy[] | null> {
    const now = this.clock.now().getTime();
    if (this.policies === null || now - this.readAt >= this.refreshMs) await this.refresh();
    return this.held();
  }

  /** The policies held, without a read: null when none was read within maxAgeMs (as current() would). */
  held(): RiskPolicy[] | null {
    if (this.policies === null || this.clock.now().getTime() - this.readAt > this.maxAgeMs) return null;
    return [...this.policies.values()];
  }

  /** Re-reads now (one read at a time; concurrent callers share it). Never throws. */
  refresh(): Promise<void> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async read(): Promise<void> {
    try {
      const { policies, invalid } = await readPolicies(this.store);
      const next = new Map(policies.map((p) => [p.policyId, p]));
      for (const bad of invalid) {
        const kept = this.policies?.get(bad.policyId);
        if (kept) next.set(bad.policyId, kept);
        const key = `${bad.policyId}@${String(bad.version)}`;
        if (this.reported.has(key)) continue;
        this.reported.add(key);
        this.logger.error('invalid risk policy ignored; the last valid version stays in force', {
          policyId: bad.policyId,
          version: String(bad.version),
          keptVersion: kept?.version ?? null,
          problems: bad.problems,
        });
        await this.options.onInvalid?.(bad).catch((err: unknown) => {
          // Reported again on the next read: the alert must not be lost to a transient publish failure.
          this.reported.delete(key);
          this.logger.warn('invalid-policy alert not published', { detail: (err as Error).message });
        });
      }
      this.policies = next;
      this.readAt = this.clock.now().getTime();
    } catch (err) {
      this.logger.warn('risk policies could not be read; serving the last ones read', {
        detail: (err as Error).message,
        ageMs: this.policies ? this.clock.now().getTime() - this.readAt : null,
      });
    }
  }
}
