/**
 * Reading OFAC's published CSV files. A compliance officer notices a listed name read wrongly (a quote, a
 * comma or a line break in the wrong place), an alias attached to the wrong entry, or a malformed row
 * accepted silently instead of failing the list load with the row named.
 */
import { parseCsvRows, parseSdnCsv, SdnFormatError, splitPrograms } from '../../../shared/domain/aml/sdn-csv';

const thrown = (f: () => unknown): Error => {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
};

describe('CSV rows', () => {
  it('splits on commas and line breaks of every convention (\\n, \\r\\n, \\r)', () => {
    expect(parseCsvRows('1,a\n2,b\r\n3,c\r4,d')).toEqual([
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
      ['4', 'd'],
    ]);
  });

  it('skips blank and whitespace-only lines, but keeps a row of empty fields', () => {
    expect(parseCsvRows('\n1,a\n\n   \n\r\n2,b\n')).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ]);
    expect(parseCsvRows(',\n')).toEqual([['', '']]);
    // A line holding only a quoted blank is blank too.
    expect(parseCsvRows('1,a\n"  "\n2,b')).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ]);
  });

  it('keeps an empty last field, with or without a final line break', () => {
    expect(parseCsvRows('1,a,')).toEqual([['1', 'a', '']]);
    expect(parseCsvRows('1,a,\n')).toEqual([['1', 'a', '']]);
    expect(parseCsvRows('1')).toEqual([['1']]);
  });

  it('keeps commas and line breaks inside quoted fields', () => {
    expect(parseCsvRows('1,"SMITH, John","a\nb"\n')).toEqual([['1', 'SMITH, John', 'a\nb']]);
  });

  it('reads a doubled quote as one quote, also at the end of a field', () => {
    expect(parseCsvRows('"say ""hi""",x')).toEqual([['say "hi"', 'x']]);
    expect(parseCsvRows('"""quoted"""')).toEqual([['"quoted"']]);
  });

  it('closes a quoted field before blanks that precede the separator or the end of the line', () => {
    expect(parseCsvRows('"A" ,"B"\t,"C"  \n"D" ')).toEqual([['A', 'B', 'C'], ['D']]);
    expect(parseCsvRows('"A"\r\n"B"\r')).toEqual([['A'], ['B']]);
  });

  it('keeps a quote that is not followed by a separator as part of the name', () => {
    expect(parseCsvRows('"AL "X" Y",2')).toEqual([['AL "X" Y', '2']]);
    expect(parseCsvRows('"A" B,2')).toEqual([['A" B,2']]);
  });

  it('skips blanks before an opening quote but keeps blanks and quotes inside an unquoted field', () => {
    expect(parseCsvRows('1,  "NAME",x')).toEqual([['1', 'NAME', 'x']]);
    expect(parseCsvRows('1,\t"NAME"')).toEqual([['1', 'NAME']]);
    expect(parseCsvRows('1,AB "C" D,x')).toEqual([['1', 'AB "C" D', 'x']]);
    expect(parseCsvRows('1,A B ,x')).toEqual([['1', 'A B ', 'x']]);
  });
});

describe('programs', () => {
  it('reads each program of the joined, partly bracketed form', () => {
    expect(splitPrograms(undefined)).toEqual([]);
    expect(splitPrograms('')).toEqual([]);
    expect(splitPrograms('SDGT')).toEqual(['SDGT']);
    expect(splitPrograms('[SDGT]')).toEqual(['SDGT']);
    expect(splitPrograms('[IRAN-EO13902] [ ]')).toEqual(['IRAN-EO13902']);
    expect(splitPrograms('UKRAINE-EO13662] [RUSSIA-EO14024')).toEqual(['UKRAINE-EO13662', 'RUSSIA-EO14024']);
  });
});

describe('sdn.csv entries', () => {
  it('reads every column an officer sees: number, name, type, programs, title, remarks', () => {
    const [entry] = parseSdnCsv(
      '7,"DOE, John","Individual","SDGT] [IRGC","Chief Financier",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. JD"\n',
    );
    expect(entry).toEqual({
      entNum: '7',
      name: 'DOE, John',
      type: 'individual',
      programs: ['SDGT', 'IRGC'],
      title: 'Chief Financier',
      remarks: 'a.k.a. JD',
      altNames: [],
    });
  });

  it('reads the type whatever its case; an unknown or null type is an entity', () => {
    const types = parseSdnCsv(
      [
        '1,"A","VESSEL"',
        '2,"B","aircraft"',
        '3,"C","Aircraft"',
        '4,"D",-0- ',
        '5,"E","company"',
        '6,"F"',
        '7,"G","individual"',
      ].join('\n'),
    ).map((e) => e.type);
    expect(types).toEqual(['vessel', 'aircraft', 'aircraft', 'entity', 'entity', 'entity', 'individual']);
  });

  it('treats -0-, blank and missing columns as absent, and trims the values it keeps', () => {
    const [entry] = parseSdnCsv('  12 ," ACME TRADING ",-0-,-0-   ,"  ",-0-\n');
    expect(entry).toEqual({ entNum: '12', name: 'ACME TRADING', type: 'entity', programs: [], altNames: [] });
    expect(entry).not.toHaveProperty('title');
    expect(entry).not.toHaveProperty('remarks');
  });

  it('refuses a row without a number, with a non-numeric number, or without a name, naming the row', () => {
    const good = '1,"A","individual"';
    expect(thrown(() => parseSdnCsv(`${good}\n-0- ,"B"\n`)).message).toBe(
      'sdn.csv row 2: expected ent_num and SDN_Name, got 2 fields',
    );
    expect(thrown(() => parseSdnCsv(`${good}\n${good}\n12a,"B",x,y\n`)).message).toBe(
      'sdn.csv row 3: expected ent_num and SDN_Name, got 4 fields',
    );
    expect(thrown(() => parseSdnCsv('1.5,"B"\n'))).toBeInstanceOf(SdnFormatError);
    expect(thrown(() => parseSdnCsv('x1,"B"\n'))).toBeInstanceOf(SdnFormatError);
    expect(thrown(() => parseSdnCsv('12,"  "\n')).message).toMatch(/^sdn.csv row 1:/);
    expect(thrown(() => parseSdnCsv('12\n')).name).toBe('SdnFormatError');
  });

  it('accepts an empty file as an empty list', () => {
    expect(parseSdnCsv('')).toEqual([]);
    expect(parseSdnCsv('\n\n')).toEqual([]);
  });
});

describe('alt.csv aliases', () => {
  const sdn = '10,"ALPHA LTD",-0-\n20,"BETA, Bob","individual"\n';

  it('attaches each alias to its entry, in file order', () => {
    const entries = parseSdnCsv(
      sdn,
      '20,1,"aka","BOBBY BETA",-0-\n10,2,"fka","ALPHA HOLDINGS",-0-\n20,3,"aka"," BB ",-0-\n',
    );
    expect(entries.map((e) => [e.entNum, e.altNames])).toEqual([
      ['10', ['ALPHA HOLDINGS']],
      ['20', ['BOBBY BETA', 'BB']],
    ]);
  });

  it('ignores an alias of an entry that is not on the list', () => {
    const entries = parseSdnCsv(sdn, '99,1,"aka","GHOST",-0-\n');
    expect(entries.flatMap((e) => e.altNames)).toEqual([]);
  });

  it('refuses an alias row without a number or a name, naming the row', () => {
    expect(thrown(() => parseSdnCsv(sdn, '10,1,"aka","A"\n20,2,"aka",-0- \n')).message).toBe(
      'alt.csv row 2: expected ent_num and alt_name',
    );
    expect(thrown(() => parseSdnCsv(sdn, '-0-,1,"aka","A"\n'))).toBeInstanceOf(SdnFormatError);
  });

  it('treats an empty alias file as no aliases', () => {
    expect(parseSdnCsv(sdn, '').map((e) => e.altNames)).toEqual([[], []]);
  });
});
