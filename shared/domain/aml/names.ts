/**
 * Name preparation in watchman's order: reorder "SURNAME, Given" (individuals), drop company suffixes, then
 * normalise (lower case, punctuation to spaces, diacritics stripped, spaces collapsed). List entries and
 * screened names go through the same steps, so they compare like for like. (Watchman's language-detected
 * stopword removal is not reproduced: it needs a language model and changes few sanctions scores.)
 */

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
  /, LTD\.?$/i,
  / SA DE CV$/i,
];

/** Legal-form suffixes carry no identity ("ACME LTD" is "ACME"); watchman's company-name cleanup. */
export function removeCompanySuffixes(name: string): string {
  let out = name.trim().replace(/ LTD /gi, ' ');
  for (const re of COMPANY_SUFFIXES) out = out.replace(re, '');
  return out.trim();
}

/** Lower case, `.`/`,`/`-` and other punctuation or symbols to one space, diacritics stripped, collapsed. */
export function normalizeName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export interface PrepareOptions {
  /** Individuals are listed "SURNAME, Given"; entities keep a comma as part of the name. */
  individual?: boolean;
}

/** The full pipeline; returns the prepared text (tokens separated by single spaces, possibly empty). */
export function prepareName(raw: string, options: PrepareOptions = {}): string {
  const reordered = options.individual === false ? raw : reorderName(raw);
  return normalizeName(removeCompanySuffixes(reordered));
}

export function nameTokens(prepared: string): string[] {
  return prepared ? prepared.split(' ') : [];
}
