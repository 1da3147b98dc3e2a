/** A request's query string as the API use cases take it: repeated names kept as lists, nothing nested. */
export type Query = Record<string, string | string[] | undefined>;

/** The one value of `name` ('' counts as absent); a repeated name is a problem, not a silent pick. */
export function oneParam(q: Query, name: string, problems: string[]): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) {
    problems.push(`${name} is given more than once`);
    return undefined;
  }
  return v === '' ? undefined : v;
}
