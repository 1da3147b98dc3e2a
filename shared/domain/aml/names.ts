/**
 * Name preparation in watchman's order: reorder "SURNAME, Given" (individuals), drop company suffixes, then
 * normalise (lower case, punctuation to spaces, diacritics stripped, spaces collapsed). List entries and
 * screened names go through the same steps, so they compare like for like. (Watchman's language-detected
 * stopword removal is not reproduced: it needs a language model and changes few sanctions scores.)
 *
 * Unicode evasion: before any of that a name is folded (invisible and format characters removed, NFKC), so
 * "Gar\u200Bantex", "Ｇａｒａｎｔｅｘ" and "𝐆𝐚𝐫𝐚𝐧𝐭𝐞𝐱" prepare like "Garantex"; non-Latin words are then
 * romanised: Cyrillic and Greek transliterated, Latin look-alikes mapped to their Latin prototype with
 * Unicode's confusables data (UTS #39). A name can prepare to two forms (see prepareNameForms).
 */
import confusablesData from 'unhomoglyph/data.json';

/** "LOGAN MOREY, Elvis Angus" → "Elvis Angus LOGAN MOREY" (watchman pipeline_reorder). */
export function reorderName(name: string): string {
  const m = /,(?:\s+)?([\p{L}\p{M}'’\-.\s]+)$/u.exec(name);
  if (!m) return name;
  return `${m[1].trim()} ${name.slice(0, m.index).trim()}`.trim();
}

const COMPANY_SUFFIXES = [
  / CO\.$/i,
  / D\.O\.O\.$/i,
  / INC\.?$/i,
  / GMBH$/i,
  / L\.L\.C\.$/i,
  / LLC$/i,
  / LLP$/i,
  / LTDA\.$/i,
  / LTD\.?$/i,
  / SA DE CV$/i,
];

/** Legal-form suffixes carry no identity ("ACME LTD" is "ACME"); watchman's company-name cleanup. */
export function removeCompanySuffixes(name: string): string {
  let out = name.trim().replace(/ LTD /gi, ' ');
  for (const re of COMPANY_SUFFIXES) out = out.replace(re, '');
  return out.trim();
}

/**
 * Printable ASCII: nothing to fold, romanise or flag. The common case, kept fast: each check below that skips
 * the work for it gives the answer the work would (9 µs of the 10 a name costs without them, measured).
 */
const PLAIN = /^[\x20-\x7e]*$/;

/** Invisible in rendering, so usable to split or disguise a word: soft hyphen, zero-width and bidi controls, variation selectors, tags... */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;

/**
 * Compatibility folding: invisible characters removed (before words are split), then NFKC, which maps
 * fullwidth, mathematical, circled and other styled letters to plain ones. A symbol that folds to several
 * letters ("™" → "TM") becomes a space instead, as the plain normaliser treats symbols.
 */
export function foldName(raw: string): string {
  if (PLAIN.test(raw)) return raw;
  return raw
    .replace(INVISIBLE, '')
    .replace(/\p{S}/gu, (c) => {
      const k = c.normalize('NFKC');
      return k.length > 1 ? ' ' : k;
    })
    .normalize('NFKC');
}

/** Lower case, `.`/`,`/`-` and other punctuation or symbols to one space, diacritics stripped, collapsed. */
export function normalizeName(name: string): string {
  return romanize(foldName(name), false);
}

/**
 * UTS #39 confusables (Unicode's confusables.txt, via the unhomoglyph package), reduced to the characters
 * whose prototype is plain Latin letters once marks are stripped ("а" → "a", "ø" → "o"). Prototypes that are
 * digits or other scripts are left out: "б" is not a "6" in a name, and digits must stay digits.
 */
const CONFUSABLE = new Map<string, string>();
for (const [from, to] of Object.entries(confusablesData as Record<string, string>)) {
  if (from.length === 1 && from.charCodeAt(0) < 0x80) continue; // ASCII is the target alphabet ("m" → "rn" is for display checks)
  const proto = to.normalize('NFD').replace(/\p{M}/gu, '');
  if (/^[A-Za-z]+$/.test(proto)) CONFUSABLE.set(from, proto); // lower-cased with the rest of the name
}

/** Latin prototype of a letter as written; `anyCase` also tries the other case ("т" looks like "T"). */
function confusable(c: string, anyCase: boolean): string | undefined {
  const direct = CONFUSABLE.get(c);
  if (direct !== undefined || !anyCase) return direct;
  return CONFUSABLE.get(c.toUpperCase()) ?? CONFUSABLE.get(c.toLowerCase());
}

/**
 * Cyrillic to Latin per ICAO Doc 9303 (8th ed., part 3, section 6, "Transliteration of Cyrillic characters"),
 * the machine-readable passport standard, so names match how they appear in travel documents. Applied to
 * decomposed text: й, ё, ї, ў, ѓ, ќ are their base letter plus a mark, and ICAO gives them the base's value.
 */
// prettier-ignore
const CYRILLIC: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ж: 'zh', з: 'z', и: 'i', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh',
  щ: 'shch', ъ: 'ie', ы: 'y', ь: '', э: 'e', ю: 'iu', я: 'ia', ґ: 'g', є: 'ie', і: 'i', ђ: 'd', ј: 'j',
  љ: 'lj', њ: 'nj', ћ: 'c', џ: 'dz', ѕ: 'dz',
};

/**
 * Greek to Latin per ELOT 743:2001 (ISO 843:1997 transcription), the scheme of Greek passports: single letters
 * here, the digraphs (ου, αυ/ευ/ηυ, γγ/γκ/γξ/γχ) in greekWord. Applied to decomposed text (tonos is a mark).
 */
// prettier-ignore
const GREEK: Record<string, string> = {
  α: 'a', β: 'v', γ: 'g', δ: 'd', ε: 'e', ζ: 'z', η: 'i', θ: 'th', ι: 'i', κ: 'k', λ: 'l', μ: 'm',
  ν: 'n', ξ: 'x', ο: 'o', π: 'p', ρ: 'r', σ: 's', ς: 's', τ: 't', υ: 'y', φ: 'f', χ: 'ch', ψ: 'ps', ω: 'o',
};
const GREEK_VOICELESS = new Set(['θ', 'κ', 'ξ', 'π', 'σ', 'ς', 'τ', 'φ', 'χ', 'ψ']);
const DIAERESIS = '\u0308';

/** ELOT 743 over one decomposed lower-case word: digraphs first, a diaeresis on υ breaks the diphthong. */
function greekWord(chars: readonly string[], i: number): [string, number] {
  const c = chars[i];
  const next = chars[i + 1];
  const upsilon = next === 'υ' && chars[i + 2] !== DIAERESIS;
  if (c === 'ο' && upsilon) return ['ou', 2];
  if ((c === 'α' || c === 'ε' || c === 'η') && upsilon) {
    let k = i + 2;
    while (k < chars.length && /\p{M}/u.test(chars[k])) k++;
    const after = chars[k];
    return [GREEK[c] + (after === undefined || GREEK_VOICELESS.has(after) ? 'f' : 'v'), 2];
  }
  if (c === 'γ' && (next === 'γ' || next === 'ξ' || next === 'χ')) return ['n' + GREEK[next], 2];
  if (c === 'γ' && next === 'κ') return ['gk', 2];
  return [GREEK[c] ?? c, 1];
}

/** Cyrillic, Greek (with its digraphs), or the letter itself. */
function transliterate(chars: readonly string[], i: number): [string, number] {
  const c = chars[i];
  return c in CYRILLIC ? [CYRILLIC[c], 1] : greekWord(chars, i);
}

const LATIN = /[\p{Script=Latin}]/u;
const LETTER = /\p{L}/u;

/**
 * One decomposed word, case as written, to lower-case Latin. A word mixing Latin with other letters is a
 * homoglyph disguise ("GАRАNTЕX" with Cyrillic А and Е): its other letters take their confusable prototype.
 * A word without Latin letters is transliterated, or, with `skeleton` and every letter a Latin look-alike
 * as written ("СНАТЕХ" for CHATEX), mapped by prototype instead.
 */
function romanizeWord(word: string, skeleton: boolean): string {
  const chars = [...word];
  const lower = chars.map((c) => c.toLowerCase());
  let latin = 0;
  let other = 0;
  let lookAlike = 0;
  for (const c of chars) {
    if (!LETTER.test(c)) continue;
    if (LATIN.test(c)) latin++;
    else {
      other++;
      if (confusable(c, false) !== undefined) lookAlike++;
    }
  }
  const mixed = other > 0 && latin > 0;
  const byPrototype = mixed || (skeleton && other > 0 && lookAlike === other);
  let out = '';
  for (let i = 0; i < chars.length;) {
    const c = chars[i];
    // ASCII has no confusable entry: a Latin letter as written is itself.
    if (!LETTER.test(c)) {
      out += lower[i];
      i++;
    } else if (LATIN.test(c) || byPrototype) {
      out += confusable(c, mixed) ?? transliterate(lower, i)[0];
      i++;
    } else {
      const [latinText, used] = transliterate(lower, i);
      out += latinText;
      i += used;
    }
  }
  return out;
}

/** Folded text to the prepared form: romanised word by word, marks stripped, punctuation to spaces. */
function romanize(folded: string, skeleton: boolean): string {
  const text = folded.normalize('NFD');
  const latin = PLAIN.test(text)
    ? text
    : text.replace(/[\p{L}\p{M}\p{N}]+/gu, (w) => romanizeWord(w, skeleton));
  return latin
    .replace(/\p{M}/gu, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export interface PrepareOptions {
  /** Individuals are listed "SURNAME, Given"; entities keep a comma as part of the name. */
  individual?: boolean;
}

function reordered(raw: string, options: PrepareOptions): string {
  const folded = foldName(raw);
  return removeCompanySuffixes(options.individual === false ? folded : reorderName(folded));
}

/** The full pipeline; returns the prepared text (tokens separated by single spaces, possibly empty). */
export function prepareName(raw: string, options: PrepareOptions = {}): string {
  return romanize(reordered(raw, options), false);
}

/**
 * The prepared forms a name is screened under: the transliterated one first, then, when it differs, the
 * reading of words written entirely in Latin look-alikes ("СНАТЕХ" is "chatex", not "snatekh"). One or two
 * distinct strings; list entries and queries both get them.
 */
export function prepareNameForms(raw: string, options: PrepareOptions = {}): string[] {
  const text = reordered(raw, options);
  const primary = romanize(text, false);
  if (PLAIN.test(text)) return [primary];
  const alternative = romanize(text, true);
  return alternative === primary ? [primary] : [primary, alternative];
}

export function nameTokens(prepared: string): string[] {
  return prepared ? prepared.split(' ') : [];
}

/** What makes a name look disguised, for the screening rules' obfuscation finding. */
export interface NameObfuscation {
  /** Invisible or format characters, as "U+200B". */
  invisibleCharacters: string[];
  /** Words mixing letters of different scripts, as written (after folding). */
  mixedScriptWords: string[];
  /** Styled letters that fold to plain Latin (fullwidth, mathematical, circled...), as written. */
  styledLetters: string[];
}

/** Scripts a word may legitimately combine with Latin (UTS #39 "highly restrictive": Japanese, Korean, Chinese). */
const SCRIPTS: [string, RegExp][] = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['CJK', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u],
];

function scriptOf(c: string): string {
  for (const [name, re] of SCRIPTS) if (re.test(c)) return name;
  return 'Other';
}

/**
 * ZWNJ/ZWJ are spelling in Persian and Indic words: allowed between two letters or signs of such scripts (an
 * Indic joiner usually follows a virama, "क्\u200Dष", or precedes a vowel sign, both marks of the script).
 */
function joinerInContext(raw: string, at: number): boolean {
  const before = [...raw.slice(0, at)].pop();
  const after = [...raw.slice(at + 1)][0];
  const joining = (c: string | undefined) =>
    c !== undefined && JOINING_SCRIPT_SIGN.test(c) && !NON_JOINING_SCRIPT.test(c);
  return joining(before) && joining(after);
}
const JOINING_SCRIPT_SIGN = /[\p{L}\p{M}]/u;
const NON_JOINING_SCRIPT =
  /[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Inherited}\p{Script=Common}]/u;

/** Undefined for a plain name; otherwise the disguises found (at least one list non-empty). */
export function nameObfuscation(raw: string): NameObfuscation | undefined {
  if (PLAIN.test(raw)) return undefined;
  const invisible = new Set<string>();
  for (const m of raw.matchAll(INVISIBLE)) {
    const c = m[0];
    if ((c === '\u200C' || c === '\u200D') && joinerInContext(raw, m.index ?? 0)) continue;
    invisible.add(`U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
  }
  const styled = new Set<string>();
  for (const [c] of raw.matchAll(/[\u0080-\u{10FFFF}]/gu)) {
    if (!/[\p{L}\p{S}]/u.test(c)) continue;
    const k = c.normalize('NFKC');
    if (k !== c && /^[A-Za-z0-9]$/.test(k.normalize('NFD').replace(/\p{M}/gu, ''))) styled.add(c);
  }
  const mixed: string[] = [];
  const folded = raw.replace(INVISIBLE, '').normalize('NFKC');
  for (const [word] of folded.matchAll(/[\p{L}\p{M}\p{N}]+/gu)) {
    const scripts = new Set<string>();
    for (const c of word) if (LETTER.test(c)) scripts.add(scriptOf(c));
    const latinWithCjk = scripts.size === 2 && scripts.has('Latin') && scripts.has('CJK');
    if (scripts.size > 1 && !latinWithCjk) mixed.push(word);
  }
  if (invisible.size === 0 && styled.size === 0 && mixed.length === 0) return undefined;
  return {
    invisibleCharacters: [...invisible],
    mixedScriptWords: mixed,
    styledLetters: [...styled],
  };
}
