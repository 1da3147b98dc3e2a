/**
 * Desks: every portfolio belongs to exactly one, named by the `deskId` of its position updates. Policies,
 * stops and the read API's permissions are scoped by desk, so a portfolio must never be without one: those
 * whose updates name none belong to DEFAULT_DESK_ID.
 */
export const DEFAULT_DESK_ID = 'default';

/** The desk of a portfolio whose position update (or stored document) carries `deskId`, if any. */
export function deskOf(deskId: string | undefined | null): string {
  return deskId ? deskId : DEFAULT_DESK_ID;
}
