/**
 * A deterministic synthetic list in sdn.csv layout (benchmarks and screening property tests): name-like
 * individuals ("SURNAME, Given Middle") and entities ("WORD WORD TRADING COMPANY LLC"), built from
 * syllables by a seeded generator so every run screens against the same list.
 */
const SYLLABLES = [
  'ka',
  'ri',
  'mo',
  'sa',
  'le',
  'na',
  'vo',
  'di',
  'ta',
  'he',
  'lu',
  'ba',
  'zo',
  'mi',
  'ra',
  'ko',
  'shi',
  'an',
  'el',
  'or',
  'ha',
  'ne',
  'go',
  'pa',
  'ti',
  'ye',
  'da',
  'su',
  'ma',
  'ni',
  'ro',
  'fa',
  'ul',
  'in',
  'khal',
  'ser',
  'gei',
  'vla',
  'dim',
  'ahm',
  'moh',
  'ham',
  'ali',
  'ivan',
  'pet',
  'rov',
  'ova',
  'enko',
  'stan',
  'berg',
];
const ENTITY_WORDS = [
  'TRADING',
  'SHIPPING',
  'GENERAL',
  'INDUSTRIES',
  'HOLDING',
  'GROUP',
  'INTERNATIONAL',
  'EXCHANGE',
  'CAPITAL',
  'PETROLEUM',
  'MARINE',
  'LOGISTICS',
  'INVESTMENT',
  'TECHNOLOGY',
  'ENERGY',
  'FINANCE',
];
const SUFFIXES = ['LLC', 'LTD', 'CO.', 'INC.', 'GMBH', 'JSC', ''];
const PROGRAMS = ['SDGT', 'IRAN', 'DPRK3', 'RUSSIA-EO14024', 'CYBER2', 'SDNTK', 'NPWMD] [IFSR', 'GLOMAG'];

function word(random: () => number, min: number, max: number): string {
  const n = min + Math.floor(random() * (max - min + 1));
  let w = '';
  for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
  return w;
}

const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** `count` rows of sdn.csv text, entity numbers from 100000. */
export function syntheticSdnCsv(count: number, random: () => number): string {
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const entNum = 100000 + i;
    const program = pick(random, PROGRAMS);
    if (random() < 0.65) {
      const surname =
        word(random, 2, 3).toUpperCase() + (random() < 0.3 ? ` ${word(random, 2, 3).toUpperCase()}` : '');
      const given = cap(word(random, 1, 3)) + (random() < 0.5 ? ` ${cap(word(random, 2, 3))}` : '');
      rows.push(
        `${entNum},"${surname}, ${given}","individual","${program}",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB ${1940 + Math.floor(random() * 60)}."`,
      );
    } else {
      const words = [word(random, 2, 3).toUpperCase()];
      const extra = 1 + Math.floor(random() * 3);
      for (let k = 0; k < extra; k++) words.push(pick(random, ENTITY_WORDS));
      const suffix = pick(random, SUFFIXES);
      rows.push(
        `${entNum},"${[...words, suffix].filter(Boolean).join(' ')}",-0- ,"${program}",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `,
      );
    }
  }
  return rows.join('\n') + '\n';
}
