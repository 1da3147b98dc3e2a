/**
 * Unicode evasion of name screening: invisible characters, compatibility (fullwidth, mathematical) letters,
 * other scripts and look-alike letters must not hide a listed name, and the disguise itself raises the
 * obfuscation finding. Ordinary names (test/fixtures/aml/ordinary-names.json) keep their false-positive rate.
 */
import ordinaryNames from '../../fixtures/aml/ordinary-names.json';
import {
  PEP_SAMPLE_CSV,
  SDN_SAMPLE_ALT_CSV,
  SDN_SAMPLE_CSV,
} from '../../../shared/domain/aml/data/screening-lists';
import { syntheticSdnCsv } from '../../../shared/domain/aml/data/synthetic-sdn';
import {
  nameObfuscation,
  normalizeName,
  prepareName,
  prepareNameForms,
} from '../../../shared/domain/aml/names';
import { evaluateTransaction } from '../../../shared/domain/aml/rules';
import { ScreeningIndex } from '../../../shared/domain/aml/screening';
import { parseSdnCsv } from '../../../shared/domain/aml/sdn-csv';
import { seededRandom } from '../../../local-stack/seeded-random';
import { bundledPolicy, onlyRule, tx } from '../../support/aml-fixtures';

const GARANTEX = '33562';

/** Each disguise of GARANTEX EUROPE OU (or its a.k.a. GARANTEX); none matches with NFD-only normalisation. */
const EVASIONS: [string, string][] = [
  ['zero-width spaces inside words', 'Gar\u200Bantex Eur\u200Bope OU'],
  ['soft hyphens inside words', 'Ga\u00ADran\u00ADtex Europe OU'],
  ['word joiner and variation selector', 'Gara\u2060nt\uFE0Fex Europe OU'],
  ['fullwidth letters', 'Ｇａｒａｎｔｅｘ Ｅｕｒｏｐｅ ＯＵ'],
  ['mathematical bold letters', '𝐆𝐀𝐑𝐀𝐍𝐓𝐄𝐗 𝐄𝐔𝐑𝐎𝐏𝐄 𝐎𝐔'],
  ['all-Cyrillic spelling (ICAO transliteration)', 'Гарантекс'],
  ['Latin with Cyrillic look-alikes', 'G\u0410R\u0410N\u0422\u0415X EUR\u041EPE OU'],
  ['all-Greek spelling (ELOT 743 transliteration)', 'ΓΑΡΑΝΤΕΞ'],
  ['Latin with Greek look-alikes', 'G\u0391R\u0391\u039D\u03A4\u0395\u03A7 Europe OU'],
];

describe('name folding and romanisation', () => {
  it('removes invisible characters before splitting words and folds compatibility letters', () => {
    expect(normalizeName('Gar\u200Bantex Eur\u00ADope')).toBe('garantex europe');
    expect(normalizeName('Ｇａｒａｎｔｅｘ')).toBe('garantex');
    expect(normalizeName('𝐆𝐚𝐫𝐚𝐧𝐭𝐞𝐱')).toBe('garantex');
    expect(normalizeName('Acme™ Trading')).toBe('acme trading'); // a symbol folding to letters stays a symbol
  });

  it('transliterates Cyrillic per ICAO Doc 9303 and Greek per ELOT 743', () => {
    expect(prepareName('Путин Владимир Владимирович')).toBe('putin vladimir vladimirovich');
    expect(prepareName('Йорданка Щукина')).toBe('iordanka shchukina');
    expect(prepareName('Олександр Шевченко')).toBe('oleksandr shevchenko');
    expect(prepareName('Ευάγγελος Παπαδόπουλος')).toBe('evangelos papadopoulos');
    expect(prepareName('Ευθύμιος Γιώργος')).toBe('efthymios giorgos');
  });

  it('maps look-alike letters to their Latin prototype (UTS #39 confusables)', () => {
    expect(prepareName('G\u0410R\u0410NTEX')).toBe('garantex'); // Cyrillic А inside a Latin word
    expect(prepareNameForms('СНАТЕХ')).toEqual(['snatekh', 'chatex']); // all look-alikes: both readings
    expect(prepareName('Łukasz Yılmaz')).toBe('lukasz yilmaz');
  });

  it('leaves plain ASCII names exactly as the watchman normaliser does', () => {
    expect(normalizeName('11,420.2-1 CORP.')).toBe('11 420 2 1 corp');
    expect(prepareNameForms('MADURO MOROS, Nicolas')).toEqual(['nicolas maduro moros']);
  });
});

describe('screening through Unicode disguises', () => {
  const sdn = ScreeningIndex.build(parseSdnCsv(SDN_SAMPLE_CSV, SDN_SAMPLE_ALT_CSV));

  it.each(EVASIONS)('matches GARANTEX through %s', (_how, name) => {
    const found = sdn.search(name, 0.88);
    expect(found?.entNum).toBe(GARANTEX);
    expect(sdn.searchExhaustive(name, 0.88)).toEqual(found); // the prefilter loses nothing on folded names
  });

  it('reads a word of Cyrillic look-alikes as the Latin name it imitates', () => {
    expect(sdn.search('СНАТЕХ', 0.88)).toMatchObject({ entNum: '32152', score: 1 });
  });

  it.each(EVASIONS)('fires the sanctions rule of the bundled policy through %s', (_how, name) => {
    const hits = evaluateTransaction(onlyRule('sanctions.ofac-sdn'), tx({ counterparty: { name } }), []);
    expect(hits).toHaveLength(1);
    expect(hits[0].details).toMatchObject({ match: { entNum: GARANTEX } });
  });
});

describe('obfuscation finding (sanctions.name-obfuscation)', () => {
  const rule = 'sanctions.name-obfuscation';
  const obfuscated = EVASIONS.filter(([how]) => !how.startsWith('all-'));

  it.each(obfuscated)('fires on %s, with the match the folded name still makes', (_how, name) => {
    const hits = evaluateTransaction(onlyRule(rule), tx({ counterparty: { name } }), []);
    expect(hits).toHaveLength(1);
    expect(hits[0].rule).toMatchObject({ type: 'sanctions_screening', severity: 'WARNING' });
    expect(hits[0].details).toMatchObject({ finding: 'obfuscation', match: { entNum: GARANTEX } });
    expect(hits[0].summary).toMatch(/obfuscated/);
  });

  it('names what it found', () => {
    expect(nameObfuscation('Gar\u200Bantex\u00AD')).toEqual({
      invisibleCharacters: ['U+200B', 'U+00AD'],
      mixedScriptWords: [],
      styledLetters: [],
    });
    expect(nameObfuscation('G\u0410RANTEX Europe')?.mixedScriptWords).toEqual(['G\u0410RANTEX']);
    expect(nameObfuscation('Ｇａｒａ')?.styledLetters).toEqual(['Ｇ', 'ａ', 'ｒ']);
  });

  it('fires on a disguised name that matches nothing, and the full policy raises both alerts on a match', () => {
    const hits = evaluateTransaction(onlyRule(rule), tx({ counterparty: { name: 'J\u200Bane Doe' } }), []);
    expect(hits).toHaveLength(1);
    expect(hits[0].details.match).toBeUndefined();
    const both = evaluateTransaction(bundledPolicy(), tx({ counterparty: { name: EVASIONS[0][1] } }), []);
    expect(both.map((h) => h.rule.id)).toEqual(expect.arrayContaining(['sanctions.ofac-sdn', rule]));
  });

  it('does not fire on names written in one script, or Persian with a zero-width non-joiner', () => {
    for (const name of [
      'Гарантекс',
      'ΓΑΡΑΝΤΕΞ',
      'Nicolás Maduro',
      'Yamada 太郎',
      'می\u200Cخواهم',
      'Acme™ Ltd',
    ])
      expect(nameObfuscation(name)).toBeUndefined();
  });
});

describe('false positives on ordinary names', () => {
  const names = ordinaryNames as string[];
  const sdn = ScreeningIndex.build(parseSdnCsv(SDN_SAMPLE_CSV, SDN_SAMPLE_ALT_CSV));
  const pep = ScreeningIndex.build(parseSdnCsv(PEP_SAMPLE_CSV));

  it('has a few hundred names in several scripts', () => {
    expect(names.length).toBeGreaterThanOrEqual(300);
    expect(names.some((n) => /\p{Script=Cyrillic}/u.test(n))).toBe(true);
    expect(names.some((n) => /\p{Script=Greek}/u.test(n))).toBe(true);
  });

  it('none hits the bundled sanctions or PEP list at the policy threshold (0 of them before the change)', () => {
    const hits = names.filter((n) => sdn.search(n, 0.88) || pep.search(n, 0.88));
    expect(hits).toEqual([]);
  });

  it('hits a 10,000-entry synthetic list only where the Latin spelling also does (2 before, 3 after)', () => {
    const big = ScreeningIndex.build(parseSdnCsv(syntheticSdnCsv(10_000, seededRandom(42))));
    const hits = names.filter((n) => big.search(n, 0.88));
    // The third is "Иван Иванов", now read as "Ivan Ivanov", which already hit.
    expect(hits).toEqual(['Ali Şahin', 'Ivan Ivanov', 'Иван Иванов']);
  });

  it('flags none of them as obfuscated', () => {
    expect(names.filter((n) => nameObfuscation(n))).toEqual([]);
  });
});
