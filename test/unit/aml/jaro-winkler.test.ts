/**
 * Golden vectors of moov-io/watchman (internal/stringscore/jaro_winkler_test.go, Apache-2.0): indexed name,
 * search name, expected score, compared within watchman's own tolerance of 0.01. Inputs are split on
 * whitespace as given (case and punctuation kept), except where watchman first applies
 * LowerAndRemovePunctuation, which normalizeName reproduces.
 */
import {
  bestPairCombinationJaroWinkler,
  bestPairsJaroWinkler,
  jaro,
  jaroWinkler,
  wordCombinations,
} from '../../../shared/domain/aml/jaro-winkler';
import { normalizeName } from '../../../shared/domain/aml/names';

const fields = (s: string) => s.split(/\s+/).filter(Boolean);
const lrp = normalizeName;
const bytes = (s: string) => new TextEncoder().encode(s);

const BEST_PAIRS: [string, string, number][] = [
  ['wei, zhao', 'wei, Zhao', 0.875],
  ['WEI, Zhao', 'WEI, Zhao', 1.0],
  ['WEI Zhao', 'WEI Zhao', 1.0],
  ['wei zhao', lrp('WEI, Zhao'), 1.0],
  ['jane doe', 'jan lahore', 0.439],
  ['jan lahore', 'jane doe', 0.549],
  ['john doe', 'paul john', 0.624],
  ['john doe', 'john othername', 0.44],
  ['tai me', 'taim', 0.819],
  ['jane doe', 'jane doe2', 0.94],
  ['kalamity linden', 'kala limited', 0.687],
  ['kala limited', 'kalamity linden', 0.687],
  ['nicolas', 'nicolas', 1.0],
  ['nicolas moros maduro', 'nicolas maduro', 0.958],
  ['nicolas maduro', 'nicolas moros maduro', 0.839],
  ['ian', 'ian mckinley', 0.429],
  ['iap', 'ian mckinley', 0.352],
  ['ian mckinley', 'ian', 0.891],
  ['ian mckinley', 'iap', 0.733],
  ['ian mckinley', 'tian xiang 7', 0.0],
  ['bindaree food group pty', lrp('independent insurance group ltd'), 0.269],
  ['bindaree food group pty ltd', 'independent insurance group ltd', 0.401],
  ['p.c.c. (singapore) private limited', 'culver max entertainment private limited', 0.514],
  ['zincum llc', 'easy verification inc.', 0.0],
  ['transpetrochart co ltd', 'jx metals trading co.', 0.431],
  ['technolab', 'moomoo technologies inc', 0.565],
  ['sewa security services', 'sesa - safety & environmental services australia pty ltd', 0.48],
  ['bueno', '20/f rykadan capital twr135 hoi bun rd, kwun tong 135 hoi bun rd., kwun tong', 0.094],
  ['nicolas maduro', 'nicolás maduro', 0.937],
  ['nicolas maduro', lrp('nicolás maduro'), 1.0],
  ['nic maduro', 'nicolas maduro', 0.872],
  ['nick maduro', 'nicolas maduro', 0.859],
  ['nicolas maduroo', 'nicolas maduro', 0.966],
  ['nicolas maduro', 'nicolas maduro', 1.0],
  ['maduro, nicolas', 'maduro, nicolas', 1.0],
  ['maduro moros, nicolas', 'maduro moros, nicolas', 1.0],
  ['maduro moros, nicolas', 'nicolas maduro', 0.953],
  ['nicolas maduro moros', 'maduro', 0.9],
  ['nicolas maduro moros', 'nicolás maduro', 0.898],
  ['nicolas, maduro moros', 'maduro', 0.897],
  ['nicolas, maduro moros', 'nicolas maduro', 0.928],
  ['nicolas, maduro moros', 'nicolás', 0.822],
  ['nicolas, maduro moros', 'nicolás maduro', 0.906],
  ['africada financial services bureau change', 'skylight', 0.441],
  ['africada financial services bureau change', 'skylight financial inc', 0.658],
  ['africada financial services bureau change', 'skylight services inc', 0.599],
  ['africada financial services bureau change', 'skylight financial services', 0.761],
  ['africada financial services bureau change', 'skylight financial services inc', 0.73],
  ['the group for the preservation of the holy sites', 'the bridgespan group', 0.682],
  ['group preservation holy sites', 'bridgespan group', 0.652],
  ['the group for the preservation of the holy sites', 'the logan group', 0.67],
  ['group preservation holy sites', 'logan group', 0.586],
  ['the group for the preservation of the holy sites', 'the anything group', 0.546],
  ['group preservation holy sites', 'anything group', 0.488],
  ['the group for the preservation of the holy sites', 'the hello world group', 0.637],
  ['group preservation holy sites', 'hello world group', 0.577],
  ['the group for the preservation of the holy sites', 'the group', 0.88],
  ['group preservation holy sites', 'group', 0.879],
  [
    'the group for the preservation of the holy sites',
    'The flibbity jibbity flobbity jobbity grobbity zobbity group',
    0.345,
  ],
  [
    lrp('the group for the preservation of the holy sites'),
    lrp('the flibbity jibbity flobbity jobbity grobbity zobbity group'),
    0.366,
  ],
  ['group preservation holy sites', 'flibbity jibbity flobbity jobbity grobbity zobbity group', 0.263],
  ['i c sogo kenkyusho', lrp('A.I.C. SOGO KENKYUSHO'), 0.968],
  [lrp('A.I.C. SOGO KENKYUSHO'), 'sogo kenkyusho', 0.972],
  [lrp('11,420.2-1 CORP.'), '11 420 2 1 corp', 1.0],
  [lrp('11,420.2-1 CORP.'), '11 420 21 corp', 0.947],
  [lrp('11,420.2-1 CORP.'), '11420 2 1 corp', 0.849],
  [lrp('11,420.2-1 CORP.'), '11420 21 corp', 0.787],
  [lrp('11,420.2-1 CORP.'), '114202 1 corp', 0.802],
  [lrp('11,420.2-1 CORP.'), '1142021 corp', 0.752],
  ['JSCARGUMENT', 'JSC ARGUMENT', 0.413],
  ['ARGUMENTJSC', 'JSC ARGUMENT', 0.75],
  ['ivan', 'john', 0.01],
  ['john smith', 'john smythe', 0.893],
  ['sean', 'shawn', 0.757],
  ['mohamed', 'muhammed', 0.849],
];

const COMBINATIONS: [string, string, number][] = [
  ['i c sogo kenkyusho', lrp('A.I.C. SOGO KENKYUSHO'), 0.968],
  [lrp('A.I.C. SOGO KENKYUSHO'), 'sogo kenkyusho', 0.972],
  [lrp('11,420.2-1 CORP.'), '11 420 2 1 corp', 1.0],
  [lrp('11,420.2-1 CORP.'), '11 420 21 corp', 1.0],
  [lrp('11,420.2-1 CORP.'), '11420 2 1 corp', 1.0],
  [lrp('11,420.2-1 CORP.'), '11420 21 corp', 1.0],
  [lrp('11,420.2-1 CORP.'), '114202 1 corp', 1.0],
  [lrp('11,420.2-1 CORP.'), '1142021 corp', 1.0],
  ['JSCARGUMENT', 'JSC ARGUMENT', 1.0],
  ['ARGUMENTJSC', 'JSC ARGUMENT', 0.75],
];

describe('Jaro–Winkler (smetrics semantics)', () => {
  it('scores the textbook pairs and the empty-string edge cases', () => {
    expect(jaro(bytes('martha'), bytes('marhta'))).toBeCloseTo(0.944, 3);
    expect(jaroWinkler(bytes('martha'), bytes('marhta'))).toBeCloseTo(0.961, 3);
    expect(jaroWinkler(bytes('dixon'), bytes('dicksonx'))).toBeCloseTo(0.813, 3);
    expect(jaro(bytes(''), bytes(''))).toBe(1);
    expect(jaro(bytes(''), bytes('hello'))).toBe(0);
    expect(jaroWinkler(bytes('hello'), bytes(''))).toBe(0);
  });

  it('boosts a common prefix only above the 0.7 threshold', () => {
    // jaro("abcxyz","abcpqr") = (3/6 + 3/6 + 1) / 3 = 0.667 ≤ 0.7: no prefix boost despite "abc".
    expect(jaroWinkler(bytes('abcxyz'), bytes('abcpqr'))).toBeCloseTo(2 / 3, 10);
  });
});

describe('BestPairsJaroWinkler reproduces watchman golden vectors', () => {
  it.each(BEST_PAIRS)('%s | %s → %d', (indexed, search, want) => {
    expect(Math.abs(bestPairsJaroWinkler(fields(search), fields(indexed)) - want)).toBeLessThanOrEqual(0.01);
  });
});

describe('BestPairCombinationJaroWinkler reproduces watchman golden vectors', () => {
  it.each(COMBINATIONS)('%s | %s → %d', (indexed, search, want) => {
    expect(
      Math.abs(bestPairCombinationJaroWinkler(fields(search), fields(indexed)) - want),
    ).toBeLessThanOrEqual(0.01);
  });

  it('generates watchman word combinations', () => {
    expect(wordCombinations(['JSC', 'ARGUMENT'])).toEqual([['JSC', 'ARGUMENT'], ['JSCARGUMENT']]);
    expect(wordCombinations(fields(lrp('11,420.2-1 CORP')))).toEqual([
      ['11', '420', '2', '1', 'corp'],
      ['11420', '21', 'corp'],
      ['1142021', 'corp'],
    ]);
    expect(wordCombinations(['john', 'smith'])).toEqual([['john', 'smith']]);
  });
});
