/**
 * OFAC SDN list files in their published CSV format: no header row, quoted fields, `-0-` (often `-0- `) for
 * null, and quotes that are not always escaped, so the reader is lenient the way Go's LazyQuotes is.
 * sdn.csv: ent_num, SDN_Name, SDN_Type, Program(s), Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag,
 * Vess_owner, Remarks. alt.csv: ent_num, alt_num, alt_type, alt_name, alt_remarks.
 */

export type SdnType = 'individual' | 'entity' | 'vessel' | 'aircraft';

export interface SdnEntry {
  entNum: string;
  name: string;
  type: SdnType;
  programs: string[];
  title?: string;
  remarks?: string;
  /** Alternate names (a.k.a., f.k.a., n.k.a.) from alt.csv. */
  altNames: string[];
}

/** Splits CSV text into rows of fields; a quote inside a field that does not close it is kept literally. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  let atFieldStart = true;
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
    atFieldStart = true;
    quoted = false;
  };
  // A row of one blank field is no row: blank lines, the empty line a CRLF's \n ends, the end of the text.
  const endRow = () => {
    endField();
    if (row.length > 1 || row[0].trim() !== '') rows.push(row);
    row = [];
  };
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        // Closes the field only if a separator (or the end) follows, after optional spaces; the separator then
        // starts the next field.
        let k = i + 1;
        while (text[k] === ' ' || text[k] === '\t') k++;
        if (k >= n || text[k] === ',' || text[k] === '\n' || text[k] === '\r') {
          quoted = false;
          i = k;
          continue;
        }
        field += c; // lazy quote
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      field = '';
      i++;
      continue;
    }
    if (c === ',') {
      endField();
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRow();
      i++;
      continue;
    }
    if (atFieldStart && (c === ' ' || c === '\t')) {
      i++; // leading blanks before an opening quote
      continue;
    }
    atFieldStart = false;
    field += c;
    i++;
  }
  endRow();
  return rows;
}

/** `-0-` (with or without trailing blanks) and empty fields are null. */
function value(field: string | undefined): string | undefined {
  const v = field?.trim();
  return v && v !== '-0-' ? v : undefined;
}

function sdnType(raw: string | undefined): SdnType {
  const t = raw?.toLowerCase();
  return t === 'individual' || t === 'vessel' || t === 'aircraft' ? t : 'entity';
}

/** Programs are joined as "SDGT] [IFSR" (the brackets of the published form partly stripped). */
export function splitPrograms(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split('] [')
    .map((p) => p.replace(/^\[|\]$/g, '').trim())
    .filter(Boolean);
}

export class SdnFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SdnFormatError';
  }
}

/** Parses sdn.csv (and optionally alt.csv) into entries; rows without an ent_num or name are refused. */
export function parseSdnCsv(sdnCsv: string, altCsv?: string): SdnEntry[] {
  const entries: SdnEntry[] = [];
  const byNum = new Map<string, SdnEntry>();
  for (const [i, row] of parseCsvRows(sdnCsv).entries()) {
    const entNum = value(row[0]);
    const name = value(row[1]);
    if (!entNum || !name || !/^\d+$/.test(entNum))
      throw new SdnFormatError(
        `sdn.csv row ${i + 1}: expected ent_num and SDN_Name, got ${row.length} fields`,
      );
    const entry: SdnEntry = {
      entNum,
      name,
      type: sdnType(value(row[2])),
      programs: splitPrograms(value(row[3])),
      altNames: [],
    };
    const title = value(row[4]);
    const remarks = value(row[11]);
    if (title) entry.title = title;
    if (remarks) entry.remarks = remarks;
    entries.push(entry);
    byNum.set(entNum, entry);
  }
  if (altCsv) {
    for (const [i, row] of parseCsvRows(altCsv).entries()) {
      const entNum = value(row[0]);
      const altName = value(row[3]);
      if (!entNum || !altName)
        throw new SdnFormatError(`alt.csv row ${i + 1}: expected ent_num and alt_name`);
      byNum.get(entNum)?.altNames.push(altName);
    }
  }
  return entries;
}
