/**
 * Scrubs secrets and personal data from anything about to be logged. Two nets: field names that hold such
 * data are masked whole, and free text is scanned for the shapes of secrets and contact details.
 */
const SENSITIVE_KEY =
  /(secret|password|passwd|token|api[-_]?key|authorization|signature|cookie|private[-_]?key|credential|rpc[-_]?url|email|phone|first[-_]?name|last[-_]?name|full[-_]?name|name[-_](first|middle|last)|given[-_]?name|middle[-_]?name|family[-_]?name|surname|^name$|birth|dob|address|street|postal|post[-_]?code|zip|ssn|tax[-_]?id|national[-_]?id|identification[-_]?number|passport|document[-_]?number|ip[-_]?address|^ip$)/i;

const TEXT_PATTERNS: [RegExp, string][] = [
  [/\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, '[email]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]'],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, 'whsec_[redacted]'],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '[jwt]'],
  [/\b(sk|pk|SG|AC|SK|persona_[a-z]+)[._-][A-Za-z0-9._-]{16,}/g, '[api-key]'],
  [/([?&](?:key|token|apikey|api_key|access_token|signature)=)[^&\s]+/gi, '$1[redacted]'],
  // Provider keys carried in a URL path (…/v2/<key>, …/v3/<key>), as RPC client errors print them.
  [/(https?:\/\/[^\s/"'<>]+(?:\/[^\s/"'<>?#]*)*?\/)[A-Za-z0-9_-]{20,}(?=[\s/"'<>?#]|$)/g, '$1[redacted]'],
  // Phone shapes: +CC with separators, bare E.164, or (555) 123-4567. Dates, decimals and signed numbers stay.
  [/\+\d{1,3}[\s-]\(?\d{1,4}\)?(?:[\s-]\d{2,6}){1,4}\b/g, '[phone]'],
  [/\+\d{10,15}\b/g, '[phone]'],
  [/\(\d{3}\)\s?\d{3}[-\s]\d{4}\b/g, '[phone]'],
  [/\bv1=[0-9a-f]{32,}/gi, 'v1=[redacted]'],
];

export const REDACTED = '[REDACTED]';

export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactText(value.message),
      stack: value.stack && redactText(value.stack),
    };
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SENSITIVE_KEY.test(key) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
