/**
 * Scrubs secrets and personal data from anything about to be logged. Two nets: field names that hold such
 * data are masked whole, and free text is scanned for the shapes of secrets and contact details. Both run on
 * every log line, so each pattern is linear: runs are anchored where they start (lookbehind) or bounded.
 */

/**
 * A key as lower-case words, whatever its style: `nameFirst`, `name-first`, `NAME_FIRST`,
 * `attributes.fields.name-first`, `APIKey`, `addressStreet1` all split the same way.
 */
export function keyWords(key: string): string[] {
  return key
    .slice(0, 256)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])(?=[A-Z][a-z])/g, '$1 ')
    .replace(/([A-Za-z])(?=\d)/g, '$1 ')
    .replace(/(\d)(?=[A-Za-z])/g, '$1 ')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const words = (list: string): Set<string> => new Set(list.trim().split(/\s+/));

/** Any key holding one of these words is masked. */
const ALWAYS = words(`
  secret secrets password passwd passphrase pwd authorization cookie cookies credential credentials
  signature apikey privatekey mnemonic jwt otp pin cvv cvc iban dsn
  email emails phone phones mobile msisdn telephone fax
  firstname lastname fullname givenname middlename familyname maidenname surname forename forenames
  birth birthdate birthday birthplace dob address addresses street postal postcode zip zipcode
  geolocation latitude longitude ip forwarded
  ssn passport identification selfie selfies photo photos
`);

/** `name` qualified this way is a person's name; `functionName`, `topicName`, `eventName` are not. */
const PERSON_NAME = words(`
  first middle last full given family maiden legal suffix prefix display preferred customer applicant
  holder person contact user beneficiary cardholder
`);

/** Word pairs (first before second, anywhere in the key) that hold a secret or an identifier. */
const PAIRS: [Set<string>, Set<string>][] = [
  ['api private secret access signing encryption master client hmac license licence', 'key keys'],
  ['rpc document signed presigned download webhook image file database db connection', 'url urls uri string'],
  ['id identity document license licence card account tax national personal', 'number no num nr'],
  ['national tax gov government voter resident residence', 'id ids identifier identity card permit code'],
  ['driver drivers driving', 'license licence licenses licences permit id'],
  ['social national', 'security insurance'],
  ['id identity', 'card document documents'],
  ['document', 'image images photo file files front back scan'],
  ['seed recovery', 'phrase words'],
  ['session refresh', 'id key token'],
  ['post', 'code'],
].map(([first, second]) => [words(first), words(second)]);

/** A token in crypto (symbol, address, decimals) is not a credential. */
const TOKEN_ATTRIBUTE = words(`
  symbol address addresses decimals amount amounts balance price prices count type standard contract
  expiry expires ttl usage limit name
`);

/** Field names repeat on every log line: each distinct key is classified once (bounded, then started afresh). */
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 4096;

export function sensitiveKey(key: string): boolean {
  const known = verdicts.get(key);
  if (known !== undefined) return known;
  const verdict = classifyKey(key);
  if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
  verdicts.set(key, verdict);
  return verdict;
}

function classifyKey(key: string): boolean {
  const parts = keyWords(key);
  if (parts.length === 1 && parts[0] === 'name') return true;
  for (let i = 0; i < parts.length; i++) {
    const w = parts[i];
    if (ALWAYS.has(w)) return true;
    if (w === 'name' && parts.some((q) => PERSON_NAME.has(q))) return true;
    if ((w === 'token' || w === 'tokens') && !TOKEN_ATTRIBUTE.has(parts[i + 1] ?? '')) return true;
    for (const [first, second] of PAIRS) {
      if (first.has(w) && parts.slice(i + 1).some((n) => second.has(n))) return true;
    }
  }
  return false;
}

/** At least this many digits before a national-format number counts as a phone number. */
function phoneIfLong(min: number) {
  return (match: string): string => ((match.match(/\d/g)?.length ?? 0) >= min ? '[phone]' : match);
}

type Replacement = string | ((match: string, ...groups: string[]) => string);

/** Masks key-like path segments of a URL (…/v2/<key>, …/v3/<key>), as RPC client errors print them. */
function redactUrlPath(url: string): string {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  if (slash < 0) return url;
  const path = url.slice(slash).replace(/\/[A-Za-z0-9_-]{20,}(?=[/?#]|$)/g, '/[redacted]');
  return url.slice(0, slash) + path;
}

const TEXT_PATTERNS: [RegExp, Replacement][] = [
  // PEM blocks, also cut off before their END line (a truncated log line still carries the key).
  [/-----BEGIN [A-Z0-9 ]{1,64}-----[\s\S]*?(?:-----END [A-Z0-9 ]{1,64}-----|$)/g, '[pem]'],
  [/\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}\b/g, '[email]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]'],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, 'whsec_[redacted]'],
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '[jwt]'],
  [/(?<![A-Za-z0-9._-])(sk|pk|SG|AC|SK|persona_[a-z]+)[._-][A-Za-z0-9._-]{16,}/g, '[api-key]'],
  // Google API keys.
  [/(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35,}/g, '[api-key]'],
  [/([?&](?:key|token|apikey|api_key|access_token|signature)=)[^&\s]+/gi, '$1[redacted]'],
  [/\bhttps?:\/\/[^\s"'<>]{1,2048}/g, redactUrlPath],
  // US social security numbers, before the phone shapes that would also take them.
  [/(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])/g, '[ssn]'],
  // Phone shapes: +CC with separators, bare E.164, North American (555) 123-4567 / 555-123-4567, and
  // national numbers with a trunk 0 (0470 12 34 56, 020 7946 0958). Dates, times, amounts, UUIDs stay.
  [/\+\d{1,3}[\s-]\(?\d{1,4}\)?(?:[\s-]\d{2,6}){1,4}\b/g, '[phone]'],
  [/\+\d{10,15}\b/g, '[phone]'],
  [/(?<![\w.,+/-])(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\w-]|[.,]\d)/g, '[phone]'],
  [/(?<![\w.,+/-])0\d{1,4}(?:[-. ]\d{2,4}){1,4}(?![\w-]|[.,]\d)/g, phoneIfLong(9)],
  [/\bv1=[0-9a-f]{32,}/gi, 'v1=[redacted]'],
];

export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 16;

export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_PATTERNS) {
    out =
      typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out;
}

/** Raw bytes are never written, only their size: a payload buffer is the data it carries. */
function byteLength(value: object): number | undefined {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  const tag = Object.prototype.toString.call(value);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') {
    return (value as ArrayBuffer).byteLength;
  }
  return undefined;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return '[depth]';
  if (typeof value === 'string') return redactText(value);
  // JSON.stringify throws on a bigint.
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  const bytes = byteLength(value);
  if (bytes !== undefined) return `[binary ${bytes} bytes]`;
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactText(value.message),
      stack: value.stack && redactText(value.stack),
      ...(value.cause === undefined ? {} : { cause: redact(value.cause, depth + 1) }),
    };
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const entries = Object.entries(value as Record<string, unknown>);
  // A {name|key|field: 'email', value: …} pair names its own sensitivity.
  const named = entries.find(([k, v]) => ['name', 'key', 'field'].includes(k) && typeof v === 'string');
  const maskValue = named !== undefined && sensitiveKey(named[1] as string);
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries) {
    const masked = sensitiveKey(key) || (maskValue && key === 'value');
    out[redactText(key)] = masked ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
