/**
 * aml.rules.per_s: the bundled policy (12 rules, screening included against the bundled lists) evaluated in
 * memory on a deterministic stream of 100,000 transactions from 2,000 users, each followed by the window
 * update the use case commits (append + prune). No store, no bus: the pure policy cost per transaction.
 * Counterparties are drawn, skewed, from about 5,000 names, so the index's memo of screened names sees
 * repeats the way a warm instance does. Reference in the same run: the screening rules disabled.
 *
 * aml.screening.us_per_name: one counterparty name against a 10,000-entry SDN-format list (seeded
 * synthetic names, individuals and entities, a.k.a.s included through the same index), at the policy's
 * threshold (0.88); queries are half near-misspellings of listed names, half unrelated names. Reference in
 * the same run: the exhaustive scan the prefilter avoids (every listed name scored), on fewer queries.
 */
import defaultPolicy from '../shared/domain/aml/data/default-policy.json';
import { syntheticSdnCsv } from '../shared/domain/aml/data/synthetic-sdn';
import { compilePolicy, parsePolicy, type CompiledPolicy } from '../shared/domain/aml/policy';
import { evaluateTransaction } from '../shared/domain/aml/rules';
import { ScreeningIndex } from '../shared/domain/aml/screening';
import { parseSdnCsv } from '../shared/domain/aml/sdn-csv';
import { appendEntry, entryOf, type AmlTransaction, type WindowEntry } from '../shared/domain/aml/window';
import { readAmlConfig } from '../shared/platform/config/aml';
import { seededRandom } from '../local-stack/seeded-random';
import type { BenchFigure } from './areas';

const TRANSACTIONS = 100_000;
const USERS = 2_000;
const LIST_SIZE = 10_000;
const QUERIES = 2_000;
const EXHAUSTIVE_QUERIES = 100;

/** Named counterparties (some on the bundled SDN and PEP lists) among 5,000 synthetic ones. */
const NAMED_COUNTERPARTIES = [
  'Amelia Hartmann',
  'Northwind Digital Assets Ltd',
  'Kenji Watanabe',
  'Sofia Alvarez Rojas',
  'Blue Harbor Capital LLC',
  'Oluwaseun Adeyemi',
  'Garantex Europa OU',
  'Nicolas Maduro',
  'Marta Varela Ostrovsky',
  'Pieter van der Berg',
  'Chen Wei Trading Co',
  'Fatima Al Zahra',
];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'SG', 'AE', 'BR', 'IR', 'NG', 'VE', 'CH', 'JP'];
const TYPES: AmlTransaction['type'][] = ['DEPOSIT', 'WITHDRAWAL', 'TRANSFER_IN', 'TRANSFER_OUT'];

const SYNTHETIC_COUNTERPARTIES = 5_000;

function stream(): AmlTransaction[] {
  const random = seededRandom(2025);
  const counterparties = [
    ...NAMED_COUNTERPARTIES,
    ...parseSdnCsv(syntheticSdnCsv(SYNTHETIC_COUNTERPARTIES, seededRandom(4242))).map((e) =>
      e.name.replace(/^([^,]+), (.*)$/, '$2 $1'),
    ),
  ];
  const start = Date.parse('2025-11-01T00:00:00Z');
  const out: AmlTransaction[] = [];
  let t = start;
  for (let i = 0; i < TRANSACTIONS; i++) {
    t += Math.floor(random() * 20_000); // ~10 s apart on average: ~12 days of flow
    const user = Math.floor(random() * USERS);
    const kind = random();
    const usd =
      kind < 0.05 ? 8000 + random() * 2000 : kind < 0.1 ? 1000 * Math.ceil(random() * 12) : random() * 3000;
    const amountUsd = Math.round(usd * 100) / 100;
    out.push({
      transactionId: `bench-${i}`,
      userId: `user-${user}`,
      accountOpenedAt: new Date(start - (user % 400) * 86_400_000).toISOString(),
      type: TYPES[Math.floor(random() * TYPES.length)],
      amount: amountUsd.toFixed(2),
      currency: 'USD',
      amountUsd,
      customerCountry: COUNTRIES[user % COUNTRIES.length],
      counterparty: {
        // Skewed: a few counterparties are frequent (exchanges, payees), most are seen rarely.
        name: counterparties[Math.floor(random() ** 3 * counterparties.length)],
        country: COUNTRIES[Math.floor(random() * COUNTRIES.length)],
      },
      occurredAt: new Date(t).toISOString(),
    });
  }
  return out;
}

/** Transactions per second through evaluate + window update, and the number of hits (a checksum). */
function throughput(policy: CompiledPolicy, txs: AmlTransaction[]): { perSecond: number; hits: number } {
  const windows = new Map<string, WindowEntry[]>();
  let hits = 0;
  const started = performance.now();
  for (const tx of txs) {
    const history = windows.get(tx.userId) ?? [];
    hits += evaluateTransaction(policy, tx, history).length;
    windows.set(tx.userId, appendEntry(history, entryOf(tx), policy.retentionMs, policy.maxEntriesPerUser));
  }
  return { perSecond: txs.length / ((performance.now() - started) / 1000), hits };
}

function mutate(name: string, random: () => number): string {
  const i = 1 + Math.floor(random() * (name.length - 2));
  const r = random();
  if (r < 0.4) return name.slice(0, i) + name.slice(i + 1);
  if (r < 0.7) return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
  return name.slice(0, i) + 'e' + name.slice(i);
}

function screeningQueries(index: ScreeningIndex, random: () => number, n: number): string[] {
  const other = parseSdnCsv(syntheticSdnCsv(n, seededRandom(31337))); // same generator, other names
  return Array.from({ length: n }, (_, i) => {
    if (i % 2) return other[i].name.replace(/^([^,]+), (.*)$/, '$2 $1');
    const listed = index.entries[Math.floor(random() * index.entries.length)].name;
    return mutate(listed.replace(/^([^,]+), (.*)$/, '$2 $1'), random);
  });
}

export async function runAmlBenchmarks(): Promise<BenchFigure[]> {
  const full = readAmlConfig({}).policy;
  const doc = parsePolicy(structuredClone(defaultPolicy));
  doc.rules = doc.rules.filter((r) => r.type !== 'sanctions_screening' && r.type !== 'pep_screening');
  const noScreening = compilePolicy(doc, new Map());
  const txs = stream();
  throughput(full, txs.slice(0, 10_000)); // warm-up (JIT)
  const withScreening = throughput(full, txs);
  const rulesOnly = throughput(noScreening, txs);

  const index = ScreeningIndex.build(parseSdnCsv(syntheticSdnCsv(LIST_SIZE, seededRandom(42))));
  const minScore = 0.88;
  const queries = screeningQueries(index, seededRandom(7), QUERIES);
  for (const q of screeningQueries(index, seededRandom(8), 200)) index.search(q, minScore); // warm-up (JIT)
  let matched = 0;
  let started = performance.now();
  for (const q of queries) if (index.search(q, minScore)) matched++;
  const usPerName = ((performance.now() - started) * 1000) / queries.length;
  started = performance.now();
  const reference = queries.slice(0, EXHAUSTIVE_QUERIES).map((q) => index.searchExhaustive(q, minScore));
  const exhaustiveUs = ((performance.now() - started) * 1000) / EXHAUSTIVE_QUERIES;
  const agreed = reference.filter((m, i) => m?.entNum === index.search(queries[i], minScore)?.entNum).length;

  const r = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
  return [
    {
      name: 'aml.rules.per_s',
      value: r(withScreening.perSecond),
      unit: `tx/s (goal ≥ 50000; ${withScreening.hits} rule hits)`,
    },
    { name: 'aml.rules.per_s.without_screening', value: r(rulesOnly.perSecond), unit: 'tx/s (reference)' },
    {
      name: 'aml.screening.us_per_name',
      value: r(usPerName, 1),
      unit: `µs (goal ≤ 2000; ${LIST_SIZE} entries, ${matched}/${QUERIES} matched ≥ ${minScore})`,
    },
    {
      name: 'aml.screening.exhaustive_us_per_name',
      value: r(exhaustiveUs, 1),
      unit: `µs (reference: every listed name scored; same best match on ${agreed}/${EXHAUSTIVE_QUERIES})`,
    },
  ];
}
