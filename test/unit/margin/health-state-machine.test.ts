/**
 * The margin-health state machine: deterioration is immediate (even across several levels), recovery must
 * clear each threshold by the recovery band, and a score hovering around a threshold does not flap.
 * Thresholds are the defaults (warning 50, margin call 30, liquidation 15) with a band of 2 points unless a
 * test says otherwise.
 */
import { seededRandom } from '../../../local-stack/seeded-random';
import {
  DEFAULT_HYSTERESIS,
  nextHealthState,
  severityOf,
  severityRank,
  type HysteresisPolicy,
} from '../../../shared/domain/margin/health-state-machine';
import { RiskInputError } from '../../../shared/domain/risk/errors';
import { classifyHealth, type HealthState } from '../../../shared/domain/risk/margin';

const STATES: HealthState[] = ['HEALTHY', 'WARNING', 'MARGIN_CALL', 'LIQUIDATION'];
const BAND = DEFAULT_HYSTERESIS.recoveryBand;
const NO_BAND: HysteresisPolicy = { ...DEFAULT_HYSTERESIS, recoveryBand: 0 };

/** Folds a series of scores through the machine; returns every transition with the score that caused it. */
function run(
  start: HealthState,
  scores: (number | null)[],
  policy: HysteresisPolicy = DEFAULT_HYSTERESIS,
): {
  state: HealthState;
  transitions: { from: HealthState; to: HealthState; score: number | null; at: number }[];
} {
  let state = start;
  const transitions: { from: HealthState; to: HealthState; score: number | null; at: number }[] = [];
  scores.forEach((score, at) => {
    const next = nextHealthState(state, score, policy);
    if (next !== state) transitions.push({ from: state, to: next, score, at });
    state = next;
  });
  return { state, transitions };
}

/** Seeded, so every random walk here is reproducible from its seed. */
const prng = seededRandom;

describe('nextHealthState: thresholds', () => {
  it.each([
    [1000, 'HEALTHY'],
    [50, 'HEALTHY'],
    [49.99, 'WARNING'],
    [30, 'WARNING'],
    [29.99, 'MARGIN_CALL'],
    [15, 'MARGIN_CALL'],
    [14.99, 'LIQUIDATION'],
    [0, 'LIQUIDATION'],
    [-100, 'LIQUIDATION'],
  ] as [number, HealthState][])(
    'from HEALTHY, score %p is %s (a score below a threshold enters it)',
    (score, want) => {
      expect(nextHealthState('HEALTHY', score)).toBe(want);
    },
  );

  it('treats null (nothing borrowed) as HEALTHY from every state, at once', () => {
    for (const s of STATES) expect(nextHealthState(s, null)).toBe('HEALTHY');
  });

  it('deteriorates at exactly the threshold from every healthier state', () => {
    const cases: [number, number, HealthState, HealthState][] = [
      [50, 49.99, 'HEALTHY', 'WARNING'],
      [30, 29.99, 'WARNING', 'MARGIN_CALL'],
      [15, 14.99, 'MARGIN_CALL', 'LIQUIDATION'],
    ];
    for (const [at, below, above, under] of cases) {
      for (const s of STATES.slice(0, STATES.indexOf(above) + 1)) {
        expect(nextHealthState(s, below)).toBe(under);
      }
      // At the threshold itself the portfolio is not yet in the worse state.
      expect(nextHealthState(above, at)).toBe(above);
    }
  });

  it('deteriorates across several levels in one observation', () => {
    expect(nextHealthState('HEALTHY', 10)).toBe('LIQUIDATION');
    expect(nextHealthState('HEALTHY', 20)).toBe('MARGIN_CALL');
    expect(nextHealthState('WARNING', 14.99)).toBe('LIQUIDATION');
    expect(run('HEALTHY', [60, -5]).transitions).toEqual([
      { from: 'HEALTHY', to: 'LIQUIDATION', score: -5, at: 1 },
    ]);
  });

  it('rejects a NaN score and inconsistent thresholds as input errors', () => {
    expect(() => nextHealthState('WARNING', NaN)).toThrow(RiskInputError);
    const bad: HysteresisPolicy = {
      thresholds: { warning: 30, marginCall: 30, liquidation: 15 },
      recoveryBand: 2,
    };
    expect(() => nextHealthState('HEALTHY', 40, bad)).toThrow(RiskInputError);
  });
});

describe('nextHealthState: recovery only after the band', () => {
  it('leaves WARNING for HEALTHY only at 50 + band', () => {
    expect(nextHealthState('WARNING', 50)).toBe('WARNING');
    expect(nextHealthState('WARNING', 51.99)).toBe('WARNING');
    expect(nextHealthState('WARNING', 52)).toBe('HEALTHY');
  });

  it('leaves MARGIN_CALL only at 30 + band, and goes as far as the score clears each threshold', () => {
    expect(nextHealthState('MARGIN_CALL', 30)).toBe('MARGIN_CALL');
    expect(nextHealthState('MARGIN_CALL', 31.99)).toBe('MARGIN_CALL');
    expect(nextHealthState('MARGIN_CALL', 32)).toBe('WARNING');
    // Clears 30 by the band but 50 only by 1.99: WARNING, not HEALTHY.
    expect(nextHealthState('MARGIN_CALL', 51.99)).toBe('WARNING');
    expect(nextHealthState('MARGIN_CALL', 52)).toBe('HEALTHY');
  });

  it('leaves LIQUIDATION only at 15 + band, possibly for several levels at once', () => {
    expect(nextHealthState('LIQUIDATION', 15)).toBe('LIQUIDATION');
    expect(nextHealthState('LIQUIDATION', 16.99)).toBe('LIQUIDATION');
    expect(nextHealthState('LIQUIDATION', 17)).toBe('MARGIN_CALL');
    expect(nextHealthState('LIQUIDATION', 31.99)).toBe('MARGIN_CALL');
    expect(nextHealthState('LIQUIDATION', 32)).toBe('WARNING');
    expect(nextHealthState('LIQUIDATION', 52)).toBe('HEALTHY');
  });

  it('follows the policy: no band recovers at the threshold, a wider band later', () => {
    expect(nextHealthState('MARGIN_CALL', 30, NO_BAND)).toBe('WARNING');
    const wide: HysteresisPolicy = { ...DEFAULT_HYSTERESIS, recoveryBand: 5 };
    expect(nextHealthState('MARGIN_CALL', 34.99, wide)).toBe('MARGIN_CALL');
    expect(nextHealthState('MARGIN_CALL', 35, wide)).toBe('WARNING');
    const custom: HysteresisPolicy = {
      thresholds: { warning: 80, marginCall: 60, liquidation: 40 },
      recoveryBand: 1,
    };
    expect(nextHealthState('HEALTHY', 59.99, custom)).toBe('MARGIN_CALL');
    expect(nextHealthState('MARGIN_CALL', 60.99, custom)).toBe('MARGIN_CALL');
    expect(nextHealthState('MARGIN_CALL', 61, custom)).toBe('WARNING');
  });
});

describe('nextHealthState: hovering at a threshold does not flap', () => {
  it('a score hovering around 30 yields exactly one transition', () => {
    const hovering = [35, 29.5, 30.5, 29.8, 31.0, 29.9, 31.9, 29.99, 30.0, 31.5, 29.7, 30.9];
    const { state, transitions } = run('WARNING', hovering);
    expect(transitions).toEqual([{ from: 'WARNING', to: 'MARGIN_CALL', score: 29.5, at: 1 }]);
    expect(state).toBe('MARGIN_CALL');
    // Without the band the same series flaps on almost every tick: that is what the band is for.
    expect(run('WARNING', hovering, NO_BAND).transitions.length).toBe(10);
  });

  it('a score hovering around 50 and around 15 yields exactly one transition each', () => {
    expect(run('HEALTHY', [55, 49.9, 50.1, 49.5, 51.8, 50, 49.99, 51.99]).transitions).toEqual([
      { from: 'HEALTHY', to: 'WARNING', score: 49.9, at: 1 },
    ]);
    expect(run('MARGIN_CALL', [20, 14.9, 15.2, 14.5, 16.9, 15, 14.99, 16.5]).transitions).toEqual([
      { from: 'MARGIN_CALL', to: 'LIQUIDATION', score: 14.9, at: 1 },
    ]);
  });

  it('recovers once the score clears the band, and falls again only below the threshold', () => {
    const { transitions } = run('WARNING', [29.5, 31.9, 32.1, 31.0, 30.0, 29.9]);
    expect(transitions.map((t) => `${t.from}→${t.to}@${t.score}`)).toEqual([
      'WARNING→MARGIN_CALL@29.5',
      'MARGIN_CALL→WARNING@32.1',
      'WARNING→MARGIN_CALL@29.9',
    ]);
  });
});

describe('nextHealthState: properties over seeded random walks', () => {
  /** A walk of `steps` scores: mostly small moves, now and then a jump, sometimes a repaid (null) loan. */
  function walk(rand: () => number, steps: number): (number | null)[] {
    let x = -10 + rand() * 80;
    const out: (number | null)[] = [];
    for (let i = 0; i < steps; i++) {
      const r = rand();
      if (r < 0.01) {
        out.push(null);
        continue;
      }
      x += r < 0.05 ? (rand() - 0.5) * 60 : (rand() - 0.5) * 4;
      x = Math.max(-30, Math.min(90, x));
      out.push(Math.round(x * 100) / 100);
    }
    return out;
  }

  it('is never healthier than the score, deteriorates at once, recovers only past the band, and is stable', () => {
    // Violations are collected and asserted once: 60,000 steps of expect() calls would dominate the run.
    const violations: string[] = [];
    let checked = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const rand = prng(seed);
      let state: HealthState = STATES[Math.floor(rand() * 4)];
      for (const score of walk(rand, 300)) {
        const next = nextHealthState(state, score);
        const at = `seed ${seed}: ${state} @ ${score} → ${next}`;
        if (score === null) {
          if (next !== 'HEALTHY') violations.push(`${at}: no borrow must be HEALTHY`);
        } else {
          const raw = classifyHealth(score);
          if (severityRank(next) < severityRank(raw)) violations.push(`${at}: healthier than the score`);
          if (severityRank(raw) >= severityRank(state) && next !== raw)
            violations.push(`${at}: deterioration not immediate or too far`);
          if (severityRank(next) < severityRank(state) && next !== classifyHealth(score - BAND))
            violations.push(`${at}: recovery not where the score clears the band`);
          if (severityRank(next) > Math.max(severityRank(state), severityRank(raw)))
            violations.push(`${at}: worse than both the state and the score`);
        }
        // The same observation again changes nothing (a redelivered score is a no-op).
        if (nextHealthState(next, score) !== next) violations.push(`${at}: not stable under repetition`);
        state = next;
        checked++;
      }
    }
    expect(violations).toEqual([]);
    expect(checked).toBe(200 * 300);
  });

  it('never alternates between the same two states without the score moving more than the band', () => {
    let reversals = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const rand = prng(1000 + seed);
      const scores = walk(rand, 300);
      const { transitions } = run('HEALTHY', scores);
      for (let i = 1; i < transitions.length; i++) {
        const a = transitions[i - 1];
        const b = transitions[i];
        if (a.score === null || b.score === null) continue;
        if (b.from === a.to && b.to === a.from) {
          reversals++;
          expect(Math.abs(b.score - a.score)).toBeGreaterThan(BAND);
        }
      }
    }
    // The walks do cross thresholds both ways, so the property was exercised.
    expect(reversals).toBeGreaterThan(100);
  });

  it.each([
    ['warning', 50],
    ['marginCall', 30],
    ['liquidation', 15],
  ])(
    'a walk confined to a band-wide window around the %s threshold makes at most one transition after its first score',
    (_name, threshold) => {
      let transitionsSeen = 0;
      for (let seed = 1; seed <= 300; seed++) {
        const rand = prng(threshold * 10_000 + seed);
        const lo = threshold - BAND / 2;
        let x = lo + rand() * BAND;
        const scores: number[] = [];
        for (let i = 0; i < 200; i++) {
          x += (rand() - 0.5) * 1.5;
          if (x < lo) x = 2 * lo - x;
          if (x >= lo + BAND) x = 2 * (lo + BAND) - x - 1e-9;
          scores.push(x);
        }
        const start = STATES[Math.floor(rand() * 4)];
        const settled = nextHealthState(start, scores[0]);
        const { transitions } = run(settled, scores.slice(1));
        expect(transitions.length).toBeLessThanOrEqual(1);
        transitionsSeen += transitions.length;
        // Without the band, the same walks flap.
        if (seed === 1) {
          const flapping = run(settled, scores.slice(1), NO_BAND).transitions.length;
          expect(flapping).toBeGreaterThan(5);
        }
      }
      expect(transitionsSeen).toBeGreaterThan(0);
    },
  );
});

describe('severity', () => {
  it('orders states and maps them to alert severities', () => {
    expect(STATES.map(severityRank)).toEqual([0, 1, 2, 3]);
    expect(STATES.map(severityOf)).toEqual(['INFO', 'WARNING', 'CRITICAL', 'CRITICAL']);
  });
});
