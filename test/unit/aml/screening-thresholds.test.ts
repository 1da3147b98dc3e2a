/**
 * Screening results a compliance officer acts on: the threshold is inclusive, duplicate listings resolve to
 * the first entry, the matched name is the one that scored, and entities keep their word order.
 */
import { bestPairCombinationJaroWinkler } from '../../../shared/domain/aml/jaro-winkler';
import { ScreeningIndex } from '../../../shared/domain/aml/screening';
import { parseSdnCsv } from '../../../shared/domain/aml/sdn-csv';

const list = ScreeningIndex.build(
  parseSdnCsv(
    [
      '101,"ACME TRADING",-0- ,"SDGT"',
      '102,"ACME TRADING",-0- ,"IRAN"',
      '103,"PETROV, Ivan Sergeyevich","individual","RUSSIA-EO14024"',
      '104,"NORTHERN STAR SHIPPING",-0- ,"DPRK3"',
    ].join('\n'),
    '104,1,"aka","SEVERNAYA ZVEZDA",-0-\n',
  ),
);

describe('the screening threshold', () => {
  it('matches a name scoring exactly the threshold, and not one a hair below it', () => {
    const score = list.scoreAgainst('Ivan Petrof', 'PETROV, Ivan Sergeyevich');
    expect(score).toBeGreaterThan(0.8);
    expect(score).toBeLessThan(1);
    expect(list.search('Ivan Petrof', score)).toMatchObject({ entNum: '103', type: 'individual' });
    expect(list.searchExhaustive('Ivan Petrof', score)?.entNum).toBe('103');
    expect(list.search('Ivan Petrof', score + 1e-9)).toBeUndefined();
    expect(list.searchExhaustive('Ivan Petrof', score + 1e-9)).toBeUndefined();
  });

  it('reports the score rounded to four decimals', () => {
    const score = list.scoreAgainst('Ivan Petrof', 'PETROV, Ivan Sergeyevich');
    expect(list.search('Ivan Petrof', 0.5)?.score).toBe(Math.round(score * 1e4) / 1e4);
  });

  it('gives the same answer when asked again (remembered) and for each threshold separately', () => {
    const first = list.search('Ivan Petrof', 0.8);
    expect(list.search('Ivan Petrof', 0.8)).toEqual(first);
    expect(list.search('Ivan Petrof', 0.99)).toBeUndefined();
    expect(list.search('Ivan Petrof', 0.8)).toEqual(first);
  });
});

describe('which entry is reported', () => {
  it('reports the first listing when two entries carry the same name', () => {
    expect(list.search('Acme Trading', 0.8)).toMatchObject({ entNum: '101', programs: ['SDGT'], score: 1 });
    const near = list.search('Acme Tradin', 0.8);
    expect(near?.entNum).toBe('101');
    expect(near?.score).toBeLessThan(1);
    expect(list.searchExhaustive('Acme Tradin', 0.8)?.entNum).toBe('101');
  });

  it('names the alias that matched, and the listed name of its entry', () => {
    expect(list.search('Severnaya Zvezda', 0.8)).toEqual({
      entNum: '104',
      listedName: 'NORTHERN STAR SHIPPING',
      matchedName: 'SEVERNAYA ZVEZDA',
      type: 'entity',
      programs: ['DPRK3'],
      score: 1,
    });
  });

  it('reports the better of the readings of a name, whichever comes first', () => {
    // "ВОВА ПЕТРОВ" reads "vova petrov" transliterated, then "boba petrov" (ВОВА in Latin look-alikes).
    const secondBetter = ScreeningIndex.build(
      parseSdnCsv('1,"VOVA PETROVSKIY",-0- ,"SDGT"\n2,"BOBA PETROV",-0- ,"SDGT"'),
    );
    expect(secondBetter.search('ВОВА ПЕТРОВ', 0.7)).toMatchObject({ entNum: '2', score: 1 });
    const firstBetter = ScreeningIndex.build(
      parseSdnCsv('1,"VOVA PETROV",-0- ,"SDGT"\n2,"BOBA PETROVSKIY",-0- ,"SDGT"'),
    );
    expect(firstBetter.search('ВОВА ПЕТРОВ', 0.7)).toMatchObject({ entNum: '1', score: 1 });
  });

  it('finds nothing for a name that prepares to nothing', () => {
    expect(list.search('--', 0.5)).toBeUndefined();
    expect(list.scoreAgainst('--', 'ACME TRADING', false)).toBe(0);
    // Two names that both prepare to nothing are not the same name.
    expect(list.scoreAgainst('--', '..', false)).toBe(0);
    expect(list.size).toBe(4);
  });
});

describe('scoring against one listed name', () => {
  it('scores a listed individual the same in either word order', () => {
    expect(list.scoreAgainst('Ivan Sergeyevich Petrov', 'PETROV, Ivan Sergeyevich')).toBe(1);
    expect(list.scoreAgainst('Petrov Ivan Sergeyevich', 'PETROV, Ivan Sergeyevich', false)).toBe(1);
  });

  it('takes the better of a transliterated and a look-alike reading', () => {
    // "ВОВА" reads "vova" transliterated and "boba" as Latin look-alikes
    expect(list.scoreAgainst('ВОВА', 'BOBA', false)).toBe(1);
    expect(list.scoreAgainst('ВОВА', 'VOVA', false)).toBe(1);
  });

  it('reads a listed name as an individual unless told otherwise; an entity keeps its word order', () => {
    // Read as "SURNAME, Given", the entity's "INC" would move to the front, where no suffix is dropped.
    const golden = ScreeningIndex.build(parseSdnCsv('1,"GOLDEN STAR, INC",-0- ,"SDGT"'));
    expect(golden.search('Golden Star', 0.5)?.score).toBe(1);
    expect(golden.scoreAgainst('Golden Star', 'GOLDEN STAR, INC', false)).toBe(1);
    expect(golden.scoreAgainst('Inc Golden Star', 'GOLDEN STAR, INC')).toBe(1);
    expect(golden.scoreAgainst('Golden Star', 'GOLDEN STAR, INC')).toBeLessThan(1);
  });

  it('keeps the better reading when scoring one listed name, whichever comes first', () => {
    const transliterated = list.scoreAgainst('VOVA PETROV', 'VOVA PETROVA', false);
    expect(list.scoreAgainst('BOBA PETROV', 'VOVA PETROVA', false)).toBeLessThan(transliterated);
    expect(list.scoreAgainst('ВОВА ПЕТРОВ', 'VOVA PETROVA', false)).toBe(transliterated);
  });

  it('counts a three-letter word as a term, and "and" or "the" as filler', () => {
    // "ali" is a term: two terms, only one matching above 0.90, so ×0.8.
    expect(list.scoreAgainst('Ali Zebra', 'ALI HASSAN', false)).toBeCloseTo(
      0.8 * bestPairCombinationJaroWinkler(['ali', 'zebra'], ['ali', 'hassan']),
      12,
    );
    // "and" and "the" match themselves but are filler: still one matching term of two.
    for (const filler of ['and', 'the']) {
      const listed = ['northern', filler, 'south'];
      expect(list.scoreAgainst(`Northern ${filler} Zebra`, listed.join(' '), false)).toBeCloseTo(
        0.8 * bestPairCombinationJaroWinkler(['northern', filler, 'zebra'], listed),
        12,
      );
    }
  });

  it('does not let filler words count towards the two matching terms', () => {
    const listed = ['northern', 'star', 'shipping'];
    // "of" and "the" are noise and "st" is too short: one significant word, so no ×0.8 applies
    expect(list.scoreAgainst('Northern of the st', 'NORTHERN STAR SHIPPING', false)).toBeCloseTo(
      bestPairCombinationJaroWinkler(['northern', 'of', 'the', 'st'], listed),
      12,
    );
    // two significant words, only one matching above 0.90: ×0.8
    expect(list.scoreAgainst('Northern Zebra', 'NORTHERN STAR SHIPPING', false)).toBeCloseTo(
      0.8 * bestPairCombinationJaroWinkler(['northern', 'zebra'], listed),
      12,
    );
    // two matching: no penalty
    expect(list.scoreAgainst('Northern Stars', 'NORTHERN STAR SHIPPING', false)).toBeCloseTo(
      bestPairCombinationJaroWinkler(['northern', 'stars'], listed),
      12,
    );
  });
});
