/**
 * Name preparation, step by step: a listed name and a screened name must prepare to the same words, or a
 * compliance officer sees a missed match (word order, legal form, transliteration, diacritics) or a match on
 * a name that only shares a legal form. The disguise report names what an analyst must look at.
 */
import {
  foldName,
  nameObfuscation,
  nameTokens,
  normalizeName,
  prepareName,
  prepareNameForms,
  removeCompanySuffixes,
  reorderName,
} from '../../../shared/domain/aml/names';

describe('word order of listed individuals', () => {
  it('moves the given names after a comma to the front', () => {
    expect(reorderName('LOGAN MOREY, Elvis Angus')).toBe('Elvis Angus LOGAN MOREY');
    expect(reorderName('SMITH,John')).toBe('John SMITH');
    expect(reorderName('ZHAO,  Wei  ')).toBe('Wei ZHAO');
    expect(reorderName("O'NEIL, Mary-Jane")).toBe("Mary-Jane O'NEIL");
    expect(reorderName('DOE, J.')).toBe('J. DOE');
    expect(reorderName('ÉLODIE, Ñandú')).toBe('Ñandú ÉLODIE');
  });

  it('moves only what follows the last comma, and leaves names without given names alone', () => {
    expect(reorderName('A, B, C')).toBe('C A, B');
    expect(reorderName('ACME, 123')).toBe('ACME, 123');
    expect(reorderName('NO COMMA')).toBe('NO COMMA');
  });

  it('reorders individuals only: an entity keeps its comma as part of the name', () => {
    expect(prepareName('SMITH, John')).toBe('john smith');
    expect(prepareName('SMITH, John', { individual: true })).toBe('john smith');
    expect(prepareName('SMITH, John', { individual: false })).toBe('smith john');
    expect(prepareNameForms('SMITH, John', { individual: false })).toEqual(['smith john']);
    expect(prepareNameForms('СНАТЕХ, Ivan', { individual: true })).toEqual(['ivan snatekh', 'ivan chatex']);
  });
});

describe('legal forms', () => {
  it.each([
    ['ACME CO.'],
    ['ACME co.'],
    ['ACME D.O.O.'],
    ['ACME INC'],
    ['ACME INC.'],
    ['ACME GMBH'],
    ['ACME L.L.C.'],
    ['ACME LLC'],
    ['ACME LLP'],
    ['ACME LTDA.'],
    ['ACME LTD'],
    ['ACME LTD.'],
    ['ACME SA DE CV'],
    ['  ACME LLC  '],
  ])('drops the legal form of %j', (name) => {
    expect(removeCompanySuffixes(name)).toBe('ACME');
  });

  it('drops "LTD" inside a name, and one legal form at the end only', () => {
    expect(removeCompanySuffixes('ACME LTD TRADING')).toBe('ACME TRADING');
    expect(removeCompanySuffixes('ACME GMBH LLC')).toBe('ACME GMBH');
    expect(removeCompanySuffixes('ACME, LTD')).toBe('ACME,');
    expect(prepareName('ACME, LTD.', { individual: false })).toBe('acme');
  });

  it('keeps words that only look like a legal form', () => {
    expect(removeCompanySuffixes('INCA')).toBe('INCA');
    expect(removeCompanySuffixes('ACME LTDA')).toBe('ACME LTDA');
    expect(removeCompanySuffixes('ACMECO.')).toBe('ACMECO.');
    expect(removeCompanySuffixes('LLC HOLDINGS')).toBe('LLC HOLDINGS');
  });
});

describe('folding', () => {
  it('leaves plain ASCII exactly as written', () => {
    expect(foldName('A+B, x')).toBe('A+B, x');
  });

  it('turns a symbol that stands for several letters into a space, keeps one that stands for one', () => {
    expect(foldName('Acme™')).toBe('Acme ');
    expect(foldName('A①B')).toBe('A1B');
    expect(foldName('x©y')).toBe('x©y');
  });

  it('removes invisible characters and folds styled letters and ligatures', () => {
    expect(foldName('A\u200BB')).toBe('AB');
    expect(foldName('Ａ')).toBe('A');
    expect(foldName('ﬁn')).toBe('fin');
    expect(foldName('caf\u00e9')).toBe('café');
  });

  it('normalises without reordering or dropping legal forms', () => {
    expect(normalizeName('MADURO MOROS, Nicolás')).toBe('maduro moros nicolas');
    expect(normalizeName('ACME LTD')).toBe('acme ltd');
    expect(normalizeName('café—bar')).toBe('cafe bar');
  });
});

describe('romanisation', () => {
  it('transliterates every Cyrillic letter per ICAO Doc 9303', () => {
    expect(prepareName('Жук Хан Цой Чен Шаров Щука Ъ Ы Ь Э Юрий Яна Ґ Є Ї Ђ Ј Љ Њ Ћ Џ Ѕ Ё Ў Ѓ Ќ Й')).toBe(
      'zhuk khan tsoi chen sharov shchuka ie y e iurii iana g ie i d j lj nj c dz dz e u g k i',
    );
    expect(prepareName('абвгдезиклмнопрстуф')).toBe('abvgdeziklmnoprstuf');
    expect(prepareName('ЙОРДАН')).toBe('iordan');
  });

  it('transliterates Greek per ELOT 743, digraphs included', () => {
    expect(prepareName('Ουρανός Σοφία ας Ελλάδα ΑΓΓΕΛΟΣ')).toBe('ouranos sofia as ellada angelos');
    // αυ/ευ/ηυ: "v" before a vowel or voiced consonant, "f" before a voiceless one or at the end
    expect(prepareName('Αυγή Ευθύμιος Ευάγγελος Ηυ Ευ Αυ αυρα Ευμ Ευα')).toBe(
      'avgi efthymios evangelos if ef af avra evm eva',
    );
    // a diaeresis on υ keeps the vowels apart
    expect(prepareName('Αϋπνος αϋλος')).toBe('aypnos aylos');
    expect(prepareName('Γγ Αγξ Αγχ Αγκ Θ Ψ Ω Φ Χ Ξ Μπαλ')).toBe('ng anx anch agk th ps o f ch x mpal');
    expect(prepareName('ΓΑΡΑΝΤΕΞ ΕΥΡΩΠΗ')).toBe('garantex evropi');
  });

  it('strips diacritics from Latin letters and spells special letters in Latin', () => {
    expect(prepareName('Łódź Schrödinger Øst Æther ħ')).toBe('lodz schrodinger ost aether h');
  });

  it('keeps digits and treats dashes and dots as word breaks', () => {
    expect(prepareName('Гарантекс2')).toBe('garanteks2');
    expect(prepareName('Путин–Медведев')).toBe('putin medvedev');
    expect(prepareName('Κ.Ο.Ε')).toBe('k o e');
  });

  it('reads a Latin word disguised with Cyrillic or Greek look-alikes as the Latin word, any case', () => {
    expect(prepareNameForms('Gаrаnтex')).toEqual(['garantex']);
    expect(prepareNameForms('garanтex')).toEqual(['garantex']);
    expect(prepareNameForms('GАRАNТЕX')).toEqual(['garantex']);
    expect(prepareNameForms('AΒ')).toEqual(['ab']);
  });

  it('gives a word written only in look-alike capitals both readings, transliterated first', () => {
    expect(prepareNameForms('ТЕСТ')).toEqual(['test', 'tect']);
    expect(prepareNameForms('ВОВА')).toEqual(['vova', 'boba']);
    expect(prepareNameForms('ΟΥ')).toEqual(['ou', 'oy']);
  });

  it('gives one reading when the word has letters that look like nothing Latin, or the readings agree', () => {
    expect(prepareNameForms('Тест')).toEqual(['test']);
    expect(prepareNameForms('ΑΒΓ')).toEqual(['avg']);
    expect(prepareNameForms('Hello мир')).toEqual(['hello mir']);
    expect(prepareNameForms('Ｇａｒａｎｔｅｘ')).toEqual(['garantex']);
    expect(prepareNameForms('Ё')).toEqual(['e']);
  });

  it('prepares an empty or symbols-only name to nothing', () => {
    expect(prepareName('')).toBe('');
    expect(prepareName(' -- ')).toBe('');
    expect(nameTokens('')).toEqual([]);
    expect(nameTokens('ivan petrov')).toEqual(['ivan', 'petrov']);
  });
});

describe('disguise report', () => {
  it('reports nothing for plain names and names written in one script', () => {
    for (const name of ['plain', 'Москва', 'Ἀθήνα', 'é', 'e\u0301', 'Hello Мир', 'Tokyo東京', '¹', '𝟏'])
      expect(nameObfuscation(name)).toBeUndefined();
  });

  it('names invisible characters by code point, once each', () => {
    expect(nameObfuscation('Gar\u200Bant\u200Bex')).toEqual({
      invisibleCharacters: ['U+200B'],
      mixedScriptWords: [],
      styledLetters: [],
    });
    expect(nameObfuscation('\uFEFFX\u00ADY')?.invisibleCharacters).toEqual(['U+FEFF', 'U+00AD']);
    expect(nameObfuscation('X\u{E0041}')?.invisibleCharacters).toEqual(['U+E0041']);
  });

  it('allows a joiner between two letters of a script that spells with it, and flags it anywhere else', () => {
    expect(nameObfuscation('مهر\u200Cداد')).toBeUndefined();
    // Devanagari: a joiner after a virama (half form) or before a vowel sign is spelling, not a disguise
    expect(nameObfuscation('क्\u200Dष')).toBeUndefined();
    expect(nameObfuscation('मन\u200Dीष')).toBeUndefined();
    const elsewhere = [
      'A\u200CB',
      'ab\u200D',
      '\u200Dab',
      'ش\u200D',
      '\u200Dش',
      'ш\u200Dш',
      'α\u200Cβ',
      'e\u0301\u200Dx',
    ];
    for (const name of elsewhere)
      expect(nameObfuscation(name)?.invisibleCharacters).toEqual([
        `U+${name.includes('\u200C') ? '200C' : '200D'}`,
      ]);
  });

  it('names styled letters that fold to plain Latin letters or digits, once each', () => {
    expect(nameObfuscation('Ｇａｒａｎｔｅｘ')?.styledLetters).toEqual([
      'Ｇ',
      'ａ',
      'ｒ',
      'ｎ',
      'ｔ',
      'ｅ',
      'ｘ',
    ]);
    expect(nameObfuscation('ℌello')?.styledLetters).toEqual(['ℌ']);
    expect(nameObfuscation('Ⓐ')?.styledLetters).toEqual(['Ⓐ']);
    expect(nameObfuscation('Ａ\u200B')).toEqual({
      invisibleCharacters: ['U+200B'],
      mixedScriptWords: [],
      styledLetters: ['Ａ'],
    });
  });

  it('names words mixing scripts as written, except Latin with Chinese, Japanese or Korean', () => {
    expect(nameObfuscation('G\u0410RANTEX Europe')).toEqual({
      invisibleCharacters: [],
      mixedScriptWords: ['G\u0410RANTEX'],
      styledLetters: [],
    });
    expect(nameObfuscation('Αlpha Ωmega')?.mixedScriptWords).toEqual(['Αlpha', 'Ωmega']);
    expect(nameObfuscation('Gar\u200Bаntex')?.mixedScriptWords).toEqual(['Garаntex']);
    expect(nameObfuscation('Tokyo東京Москва')?.mixedScriptWords).toEqual(['Tokyo東京Москва']);
    expect(nameObfuscation('Աrmen')?.mixedScriptWords).toEqual(['Աrmen']);
    expect(nameObfuscation('Ꭺlpha')?.mixedScriptWords).toEqual(['Ꭺlpha']);
    expect(nameObfuscation('Ⴀbc')?.mixedScriptWords).toEqual(['Ⴀbc']);
    expect(nameObfuscation('Aعرب')?.mixedScriptWords).toEqual(['Aعرب']);
    expect(nameObfuscation('Aשלום')?.mixedScriptWords).toEqual(['Aשלום']);
    expect(nameObfuscation('Aᚠ')?.mixedScriptWords).toEqual(['Aᚠ']);
  });
});

describe('name preparation details', () => {
  it('drops a legal form only at the end of the name', () => {
    const kept = [
      'ACME INC. TRADING',
      'ACME D.O.O. ZAGREB',
      'X L.L.C. ONE',
      'X LLC PARTNERS',
      'X LLP GROUP',
      'X LTDA. RIO',
      'X SA DE CV NORTE',
    ];
    expect(kept.map(removeCompanySuffixes)).toEqual(kept);
    expect(removeCompanySuffixes('ACME  INC')).toBe('ACME');
  });

  it('reorders "SURNAME, Given" however the comma is spaced', () => {
    expect(reorderName(',Elvis')).toBe('Elvis');
    expect(reorderName('SMITH ,John')).toBe('John SMITH');
    expect(reorderName('SMITH,   John')).toBe('John SMITH');
  });

  it('reads αυ, ευ and ηυ as af, ef, if before a voiceless letter or at the end, else as av, ev, iv', () => {
    const voiceless = ['θ', 'κ', 'ξ', 'π', 'σ', 'ς', 'τ', 'φ', 'χ', 'ψ'];
    expect(voiceless.map((c) => prepareName(`αυ${c}`))).toEqual([
      'afth',
      'afk',
      'afx',
      'afp',
      'afs',
      'afs',
      'aft',
      'aff',
      'afch',
      'afps',
    ]);
    expect(prepareName('αυδ')).toBe('avd');
    expect(prepareName('ευ')).toBe('ef');
    // an accent on the υ does not hide the letter after it
    expect(prepareName('εύκ')).toBe('efk');
    expect(prepareName('ηύδ')).toBe('ivd');
    expect(prepareName('Άγκυρα')).toBe('agkyra');
    expect(prepareName('ζωή')).toBe('zoi');
  });

  it('maps the letters of a word that mixes scripts by their look-alike, either case', () => {
    // χ is not itself a look-alike, but Χ is Latin X: in a mixed word it reads x, not ch
    expect(prepareName('xχx')).toBe('xxx');
    expect(prepareName('xюx')).toBe('xlox');
    // a Latin letter outside ASCII makes the word mixed too
    expect(prepareName('łукаш')).toBe('lykash');
    // ASCII letters stay themselves ("m" is listed as looking like "rn")
    expect(prepareName('mАrk')).toBe('mark');
  });

  it('transliterates a word of look-alikes in the one form normalizeName gives', () => {
    expect(normalizeName('СНАТЕХ')).toBe('snatekh');
  });

  it('flags any other invisible character between letters of a script that spells with joiners', () => {
    expect(nameObfuscation('مهر\u200Bداد')?.invisibleCharacters).toEqual(['U+200B']);
  });

  it('flags a styled letter that folds to an accented plain one, and not digits in a one-script word', () => {
    expect(nameObfuscation('Maẛ')?.styledLetters).toEqual(['ẛ']);
    expect(nameObfuscation('Müller2')).toBeUndefined();
  });
});
