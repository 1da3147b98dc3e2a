/**
 * Evaluates a compiled AML policy against one transaction and the user's recent window entries. Pure: the
 * same policy, transaction and history always give the same hits, so alerts can carry content-derived ids.
 *
 * Bounds, everywhere: "max"/"threshold" fire strictly above, "min" at or above, bands are [lower, upper)
 * (Tazama's convention, with `!= null` checks so a bound of 0 still counts).
 */
import { nameObfuscation, type NameObfuscation } from './names';
import type { AmlRule, CompiledPolicy } from './policy';
import type { ScreeningMatch } from './screening';
import type { AmlTransaction, WindowEntry } from './window';

export interface RuleHit {
  rule: AmlRule;
  summary: string;
  details: Record<string, unknown>;
}

/** "12,345.6 USD": hand-rolled, Intl formatting is slow enough to show in the throughput benchmark. */
/** Every money comparison is in whole cents, so the single-transaction and running-total rules agree. */
function toCents(usd: number): number {
  return Math.round(usd * 100);
}

function usd(n: number): string {
  const cents = Math.round(n * 100);
  const whole = Math.floor(cents / 100);
  const fraction = cents % 100;
  const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const tail =
    fraction === 0 ? '' : fraction % 10 === 0 ? `.${fraction / 10}` : `.${String(fraction).padStart(2, '0')}`;
  return `${grouped}${tail} USD`;
}

/** "1h", "24h", "30d": hours up to two days, days beyond. */
function span(seconds: number): string {
  if (seconds % 86400 === 0 && seconds > 172800) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}min`;
  return `${seconds}s`;
}

function applies(rule: AmlRule, type: AmlTransaction['type']): boolean {
  return !rule.appliesTo || rule.appliesTo.includes(type);
}

/**
 * The busiest sliding window of length W that contains the transaction: (r − W, r] for every right end r at
 * the transaction's own time or at a later entry less than W after it. Arriving in order, that is just
 * (t − W, t]; a transaction delivered late (Pub/Sub does not order) is still judged with the entries around
 * it, so a burst or a structuring run is caught whatever order its transactions arrive in.
 * Returns the other entries of that window (the transaction itself excluded) that `counts` accepts.
 */
function busiestWindow(
  history: readonly WindowEntry[],
  rule: AmlRule,
  tx: AmlTransaction,
  now: number,
  windowSeconds: number,
  counts: (e: WindowEntry) => boolean,
  measure: (entries: readonly WindowEntry[]) => number = (e) => e.length,
): { entries: WindowEntry[]; end: number } {
  const w = windowSeconds * 1000;
  const near: WindowEntry[] = [];
  for (const e of history) {
    if (e.t > now - w && e.t < now + w && e.i !== tx.transactionId && applies(rule, e.k) && counts(e))
      near.push(e);
  }
  let best = { entries: near.filter((e) => e.t <= now), end: now };
  for (const later of near) {
    if (later.t <= now) continue;
    const entries = near.filter((e) => e.t > later.t - w && e.t <= later.t);
    if (measure(entries) > measure(best.entries)) best = { entries, end: later.t };
  }
  return best;
}

/** Where the window was not the one ending at the transaction (a late arrival), say so. */
function windowEnd(end: number, now: number): Record<string, string> {
  return end === now ? {} : { windowEnd: new Date(end).toISOString() };
}

/** Whether a nominal decimal amount is an exact multiple of `multipleOf` and at least `minAmount`. */
export function isRoundAmount(amount: string, multipleOf: number, minAmount: number): boolean {
  const [whole, fraction = ''] = amount.split('.');
  if (/[^0]/.test(fraction)) return false;
  const value = BigInt(whole);
  return value >= BigInt(minAmount) && value % BigInt(multipleOf) === 0n;
}

function roundIn(
  rule: Extract<AmlRule, { type: 'round_amount' }>,
  amount: string,
  currency: string,
): boolean {
  const p = rule.params;
  if (p.currencies && !p.currencies.includes(currency)) return false;
  return isRoundAmount(amount, p.multipleOf, p.minAmount);
}

function jurisdictionHits(
  policy: CompiledPolicy,
  rule: Extract<AmlRule, { type: 'geographic_restriction' }>,
  tx: AmlTransaction,
) {
  const list = policy.jurisdictions.get(rule.params.list);
  if (!list) return [];
  // The UTC day of the instant: the same moment written with another offset gets the same verdict.
  const day = new Date(Date.parse(tx.occurredAt)).toISOString().slice(0, 10);
  const hits: {
    party: string;
    code: string;
    name?: string;
    note?: string;
    effectiveFrom: string;
    effectiveTo?: string;
  }[] = [];
  for (const party of rule.params.parties) {
    const codes =
      party === 'counterparty' ? [tx.counterparty?.country, tx.counterparty?.region] : [tx.customerCountry];
    for (const code of codes) {
      if (!code) continue;
      for (const e of list.byCode.get(code) ?? []) {
        if (e.from <= day && (e.to == null || day < e.to)) {
          hits.push({
            party,
            code,
            ...(e.name ? { name: e.name } : {}),
            ...(e.note ? { note: e.note } : {}),
            effectiveFrom: e.from,
            ...(e.to ? { effectiveTo: e.to } : {}),
          });
        }
      }
    }
  }
  return hits;
}

function matchDetails(m: ScreeningMatch) {
  return {
    entNum: m.entNum,
    listedName: m.listedName,
    matchedName: m.matchedName,
    entryType: m.type,
    programs: m.programs,
    score: m.score,
  };
}

function describe(o: NameObfuscation): string {
  const parts: string[] = [];
  if (o.invisibleCharacters.length) parts.push(`invisible characters ${o.invisibleCharacters.join(' ')}`);
  if (o.mixedScriptWords.length) parts.push(`mixed scripts in ${o.mixedScriptWords.join(', ')}`);
  if (o.styledLetters.length) parts.push(`styled letters ${o.styledLetters.join('')}`);
  return parts.join('; ');
}

/** Evaluates one rule; undefined when it does not fire. */
export function evaluateRule(
  policy: CompiledPolicy,
  rule: AmlRule,
  tx: AmlTransaction,
  history: readonly WindowEntry[],
): RuleHit | undefined {
  if (!applies(rule, tx.type)) return undefined;
  const now = Date.parse(tx.occurredAt);
  switch (rule.type) {
    case 'velocity_count': {
      const p = rule.params;
      const window = busiestWindow(history, rule, tx, now, p.windowSeconds, () => true);
      const count = window.entries.length + 1;
      if (!(count > p.maxCount)) return undefined;
      return {
        rule,
        summary: `Velocity: ${count} transactions within ${span(p.windowSeconds)} (limit ${p.maxCount})`,
        details: {
          windowSeconds: p.windowSeconds,
          count,
          maxCount: p.maxCount,
          ...windowEnd(window.end, now),
        },
      };
    }
    case 'velocity_amount': {
      const p = rule.params;
      const sum = (list: readonly WindowEntry[]) => list.reduce((acc, e) => acc + e.u, 0);
      const window = busiestWindow(history, rule, tx, now, p.windowSeconds, () => true, sum);
      const entries = window.entries;
      const total = toCents(tx.amountUsd + sum(entries)) / 100;
      if (!(toCents(total) > toCents(p.maxAmountUsd))) return undefined;
      return {
        rule,
        summary: `Velocity: ${usd(total)} within ${span(p.windowSeconds)} (limit ${usd(p.maxAmountUsd)})`,
        details: {
          windowSeconds: p.windowSeconds,
          totalUsd: total,
          count: entries.length + 1,
          maxAmountUsd: p.maxAmountUsd,
          ...windowEnd(window.end, now),
        },
      };
    }
    case 'large_transaction': {
      const p = rule.params;
      if (!(toCents(tx.amountUsd) > toCents(p.thresholdUsd))) return undefined;
      return {
        rule,
        summary: `Large transaction: ${usd(tx.amountUsd)} (over ${usd(p.thresholdUsd)})`,
        details: { amountUsd: tx.amountUsd, thresholdUsd: p.thresholdUsd },
      };
    }
    case 'structuring': {
      const p = rule.params;
      const inBand = (v: number) =>
        toCents(v) >= toCents(p.lowerBoundUsd) && toCents(v) < toCents(p.thresholdUsd);
      if (!inBand(tx.amountUsd)) return undefined;
      const window = busiestWindow(history, rule, tx, now, p.windowSeconds, (e) => inBand(e.u));
      const band = window.entries;
      const count = band.length + 1;
      if (count < p.minCount) return undefined;
      const total = toCents(band.reduce((s, e) => s + e.u, 0) + tx.amountUsd) / 100;
      return {
        rule,
        summary: `Structuring: ${count} transactions of ${usd(p.lowerBoundUsd)} to ${usd(p.thresholdUsd)} within ${span(p.windowSeconds)}, ${usd(total)} in total`,
        details: {
          windowSeconds: p.windowSeconds,
          bandUsd: [p.lowerBoundUsd, p.thresholdUsd],
          count,
          totalUsd: total,
          minCount: p.minCount,
          transactionIds: [...band, { i: tx.transactionId, t: now }]
            .sort((a, b) => a.t - b.t)
            .map((e) => e.i)
            .slice(-20),
          ...windowEnd(window.end, now),
        },
      };
    }
    case 'geographic_restriction': {
      const hits = jurisdictionHits(policy, rule, tx);
      if (hits.length === 0) return undefined;
      const list = policy.jurisdictions.get(rule.params.list);
      const where = [...new Set(hits.map((h) => `${h.code}${h.name ? ` (${h.name})` : ''}`))].join(', ');
      return {
        rule,
        summary: `Restricted jurisdiction: ${where} on list ${rule.params.list}`,
        details: { list: rule.params.list, source: list?.source, matches: hits },
      };
    }
    case 'sanctions_screening':
    case 'pep_screening': {
      const name = tx.counterparty?.name;
      const index = policy.screening.get(rule.params.list);
      if (!name || !index) return undefined;
      const what = rule.type === 'pep_screening' ? 'PEP' : 'Sanctions';
      if (rule.params.finding === 'obfuscation') {
        // Disguise is a red flag of its own: reported whether or not the folded name still matches.
        const found = nameObfuscation(name);
        if (!found) return undefined;
        const match = index.search(name, rule.params.minScore);
        return {
          rule,
          summary: `${what} screening: counterparty name is obfuscated (${describe(found)})${match ? `; resembles ${rule.params.list} entry ${match.entNum} (${match.listedName}), score ${match.score.toFixed(3)}` : ''}`,
          details: {
            list: rule.params.list,
            minScore: rule.params.minScore,
            finding: 'obfuscation',
            // Not the name itself: alerts travel to notifications and the warehouse. The case keeps it encrypted.
            obfuscation: found,
            ...(match ? { match: matchDetails(match) } : {}),
          },
        };
      }
      const match = index.search(name, rule.params.minScore);
      if (!match) return undefined;
      return {
        rule,
        summary: `${what} match: counterparty resembles ${rule.params.list} entry ${match.entNum} (${match.listedName}), score ${match.score.toFixed(3)}`,
        details: { list: rule.params.list, minScore: rule.params.minScore, match: matchDetails(match) },
      };
    }
    case 'new_account_high_value': {
      const p = rule.params;
      const ageMs = now - Date.parse(tx.accountOpenedAt);
      if (!(ageMs < p.accountYoungerThanSeconds * 1000) || !(tx.amountUsd >= p.minAmountUsd))
        return undefined;
      const ageDays = Math.max(0, Math.floor(ageMs / 86_400_000));
      return {
        rule,
        summary: `New account: ${usd(tx.amountUsd)} on an account opened ${ageDays} day(s) earlier`,
        details: {
          accountAgeSeconds: Math.max(0, Math.floor(ageMs / 1000)),
          accountYoungerThanSeconds: p.accountYoungerThanSeconds,
          amountUsd: tx.amountUsd,
          minAmountUsd: p.minAmountUsd,
        },
      };
    }
    case 'round_amount': {
      const p = rule.params;
      if (!roundIn(rule, tx.amount, tx.currency)) return undefined;
      const window = busiestWindow(history, rule, tx, now, p.windowSeconds, (e) => roundIn(rule, e.a, e.c));
      const round = window.entries;
      const count = round.length + 1;
      if (count < p.minCount) return undefined;
      return {
        rule,
        summary: `Round amounts: ${count} round-figure transactions within ${span(p.windowSeconds)}`,
        details: {
          amount: tx.amount,
          currency: tx.currency,
          multipleOf: p.multipleOf,
          count,
          minCount: p.minCount,
          windowSeconds: p.windowSeconds,
          ...windowEnd(window.end, now),
        },
      };
    }
  }
}

/**
 * Every rule of the policy that fires for this transaction, in policy order. `known` holds rules already
 * evaluated for this transaction (screening, which reads no window, done once before a store transaction), so
 * they are not evaluated again.
 */
export function evaluateTransaction(
  policy: CompiledPolicy,
  tx: AmlTransaction,
  history: readonly WindowEntry[],
  known: ReadonlyMap<AmlRule, RuleHit | undefined> = new Map(),
): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const rule of policy.rules) {
    const hit = known.has(rule) ? known.get(rule) : evaluateRule(policy, rule, tx, history);
    if (hit) hits.push(hit);
  }
  return hits;
}
