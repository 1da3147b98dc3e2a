/**
 * The SDN CSV reader on the published layout, and the screening index: watchman-style scores, the matched
 * entry, and a prefilter that never loses a match (checked against an exhaustive scan of a 3,000-entry list).
 */
import {
  PEP_SAMPLE_CSV,
  SDN_SAMPLE_ALT_CSV,
  SDN_SAMPLE_CSV,
} from '../../../shared/domain/aml/data/screening-lists';
import { syntheticSdnCsv } from '../../../shared/domain/aml/data/synthetic-sdn';
import { bestPairCombinationJaroWinkler } from '../../../shared/domain/aml/jaro-winkler';
import { prepareName, reorderName } from '../../../shared/domain/aml/names';
import {
  exactPairScore,
  pairBound,
  ScreeningIndex,
  tokenSignature,
} from '../../../shared/domain/aml/screening';
import { parseCsvRows, parseSdnCsv, SdnFormatError, splitPrograms } from '../../../shared/domain/aml/sdn-csv';
import { seededRandom } from '../../../local-stack/seeded-random';

describe('OFAC SDN CSV', () => {
  it('reads the reference row: no header, -0- nulls with trailing blanks, quoted remarks with commas', () => {
    const [entry] = parseSdnCsv(
      '10278,"LOGAN MOREY, Elvis Angus","individual","SDNT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 28 Jul 1963; POB Toledo District, Belize; citizen Belize."\r\n',
    );
    expect(entry).toEqual({
      entNum: '10278',
      name: 'LOGAN MOREY, Elvis Angus',
      type: 'individual',
      programs: ['SDNT'],
      remarks: 'DOB 28 Jul 1963; POB Toledo District, Belize; citizen Belize.',
      altNames: [],
    });
  });

  it('splits joined programs, treats a null type as an entity, and reads vessels', () => {
    expect(splitPrograms('SDGT] [IFSR')).toEqual(['SDGT', 'IFSR']);
    expect(splitPrograms('[SDGT] [IRGC] [IFSR]')).toEqual(['SDGT', 'IRGC', 'IFSR']);
    const entries = parseSdnCsv(SDN_SAMPLE_CSV, SDN_SAMPLE_ALT_CSV);
    const irgc = entries.find((e) => e.entNum === '18421');
    expect(irgc).toMatchObject({ type: 'entity', programs: ['SDGT', 'IRGC', 'IFSR', 'NPWMD'] });
    expect(irgc?.altNames).toEqual(['IRANIAN REVOLUTIONARY GUARD CORPS', 'PASDARAN']);
    expect(entries.find((e) => e.name === 'IRAN HORMUZ 12')?.type).toBe('vessel');
    expect(entries.find((e) => e.name === 'HAMAS')?.remarks).toBeUndefined();
  });

  it('is lenient with unescaped quotes inside quoted fields, as OFAC files need', () => {
    const rows = parseCsvRows('1,"AL-SAYED, Ahmed "the Doctor" Ali","individual"\n2,"A ""quoted"" name",x\n');
    expect(rows).toEqual([
      ['1', 'AL-SAYED, Ahmed "the Doctor" Ali', 'individual'],
      ['2', 'A "quoted" name', 'x'],
    ]);
  });

  it('refuses rows without an entity number or name', () => {
    expect(() => parseSdnCsv('abc,"NAME",-0-\n')).toThrow(SdnFormatError);
    expect(() => parseSdnCsv('12,-0- ,-0-\n')).toThrow(/row 1/);
  });
});

describe('name preparation', () => {
  it('reorders "SURNAME, Given", drops company suffixes and diacritics', () => {
    expect(reorderName('MADURO MOROS, Nicolas')).toBe('Nicolas MADURO MOROS');
    expect(prepareName('MADURO MOROS, Nicolás')).toBe('nicolas maduro moros');
    expect(prepareName('NARI SHIPPING AND CHARTERING GMBH & CO. KG', { individual: false })).toBe(
      'nari shipping and chartering gmbh co kg',
    );
    expect(prepareName('ORAMA PROPERTIES LTD', { individual: false })).toBe('orama properties');
    expect(prepareName('SUEX OTC, S.R.O.', { individual: false })).toBe('suex otc s r o');
  });
});

describe('ScreeningIndex', () => {
  const sdn = ScreeningIndex.build(parseSdnCsv(SDN_SAMPLE_CSV, SDN_SAMPLE_ALT_CSV));

  it('scores an exact prepared name 1.0, whatever the order and case of the listed form', () => {
    expect(sdn.search('Nicolas Maduro Moros', 0.5)).toMatchObject({ entNum: '22790', score: 1 });
    expect(sdn.search('hidden cobra', 0.5)).toMatchObject({
      entNum: '23794',
      listedName: 'LAZARUS GROUP',
      matchedName: 'HIDDEN COBRA',
      programs: ['DPRK3', 'CYBER2'],
      score: 1,
    });
  });

  it('agrees with BestPairCombinationJaroWinkler on the prepared names (watchman scores)', () => {
    const want = bestPairCombinationJaroWinkler(['nicolas', 'maduro'], ['nicolas', 'maduro', 'moros']);
    expect(Math.abs(want - 0.958)).toBeLessThanOrEqual(0.01); // golden: "nicolas moros maduro | nicolas maduro"
    // The alias "MADURO, Nicolas" prepares to exactly "nicolas maduro".
    expect(sdn.search('Nicolás Maduro', 0.8)).toMatchObject({
      entNum: '22790',
      matchedName: 'MADURO, Nicolas',
      score: 1,
    });
    expect(sdn.scoreAgainst('Nicolas Maduro', 'MADURO MOROS, Nicolas')).toBeCloseTo(want, 10);
    expect(sdn.scoreAgainst('Vladimir Putin', 'PUTIN, Vladimir Vladimirovich')).toBeCloseTo(
      bestPairCombinationJaroWinkler(['vladimir', 'putin'], ['vladimir', 'vladimirovich', 'putin']),
      10,
    );
  });

  it('catches spelling variants and leaves unrelated names alone', () => {
    expect(sdn.search('Vladimir Poutine', 0.85)?.entNum).toBe('35096');
    expect(sdn.search('Garantex Europe', 0.85)?.entNum).toBe('33562');
    expect(sdn.search('Islamic Revolutionary Guards Corp', 0.85)?.entNum).toBe('18421');
    for (const name of ['Margaret Thornbury', 'Acme Lending LLC', 'John Smith', 'Kim Novak'])
      expect(sdn.search(name, 0.85)).toBeUndefined();
  });

  it("applies watchman's two-matching-terms rule: one strong term of two scores ×0.8", () => {
    const pep = ScreeningIndex.build(parseSdnCsv(PEP_SAMPLE_CSV));
    const raw = bestPairCombinationJaroWinkler(['tobias', 'smith'], ['tobias', 'okonjo', 'brandt']);
    expect(pep.scoreAgainst('Tobias Smith', 'OKONJO BRANDT, Tobias')).toBeCloseTo(raw * 0.8, 10);
  });

  it('bounds every token pair from above (the prefilter is lossless)', () => {
    const random = seededRandom(7);
    const letters = 'abcdeghijklmnoprstuvyz0123456789';
    const word = () =>
      Array.from(
        { length: 1 + Math.floor(random() * 12) },
        () => letters[Math.floor(random() * letters.length)],
      ).join('');
    for (let i = 0; i < 6_000; i++) {
      const a = word();
      const b = random() < 0.3 ? a.slice(0, -1) + word().slice(0, 2) : word();
      expect(pairBound(tokenSignature(a), tokenSignature(b))).toBeGreaterThanOrEqual(
        exactPairScore(a, b) - 1e-12,
      );
    }
  });

  it('finds the same best match as an exhaustive scan of a 400-entry list', () => {
    const entries = parseSdnCsv(syntheticSdnCsv(400, seededRandom(42)));
    const index = ScreeningIndex.build(entries);
    const random = seededRandom(99);
    const mutate = (s: string) => {
      const i = Math.floor(random() * s.length);
      return random() < 0.5 ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + 'e' + s.slice(i);
    };
    const minScore = 0.75;
    let matched = 0;
    for (let q = 0; q < 40; q++) {
      const e = entries[Math.floor(random() * entries.length)];
      const query = random() < 0.7 ? mutate(reorderName(e.name)) : `${e.name.split(/[ ,]+/)[0]} Randomword`;
      const found = index.search(query, minScore);
      // The reference: every listed name scored on its own, without the index or its bounds.
      if (q < 6) {
        let best = 0;
        for (const candidate of entries) {
          const s = index.scoreAgainst(query, candidate.name, candidate.type === 'individual');
          if (s > best) best = s;
        }
        if (best >= minScore) expect(found?.score).toBeCloseTo(best, 4);
        else expect(found).toBeUndefined();
      }
      // The same scoring over every listed name, with the prefilter off.
      const exhaustive = index.searchExhaustive(query, minScore);
      expect(found).toEqual(exhaustive);
      if (found) matched++;
    }
    expect(matched).toBeGreaterThan(15);
  });
});
