/**
 * The archive's pure rules, as an SRE reads them in the archive records and the bucket: which days are cold
 * enough to leave the warehouse, the bounds of one day's partition, where each export attempt is written, what
 * a run does next with a partition, and when an export counts as verified (only then are source rows deleted).
 */
import {
  archiveCutoffDay,
  archiveLocation,
  countsMatch,
  dayBounds,
  nextStep,
  recordId,
  utcDay,
  type ArchiveState,
  type PartitionArchiveRecord,
} from '../../../shared/domain/archive/partition-archive';

describe('partition archive rules', () => {
  describe('the cutoff day (days strictly before it are archived)', () => {
    it('is the UTC day archiveAfterDays before now, whatever the time of day', () => {
      expect(archiveCutoffDay(new Date('2020-03-20T23:59:00Z'), 60)).toBe('2020-01-20');
      expect(archiveCutoffDay(new Date('2020-03-20T00:00:00Z'), 60)).toBe('2020-01-20');
      // Across a month end and a leap day.
      expect(archiveCutoffDay(new Date('2020-03-01T12:00:00Z'), 1)).toBe('2020-02-29');
    });

    it('is today with a lag of zero days, and never later than today', () => {
      expect(archiveCutoffDay(new Date('2021-06-15T08:00:00Z'), 0)).toBe('2021-06-15');
      expect(archiveCutoffDay(new Date('2021-06-15T08:00:00Z'), 7)).toBe('2021-06-08');
    });
  });

  it('reads the UTC day of an instant, not the local one', () => {
    expect(utcDay(new Date('2020-01-02T23:59:59.999Z'))).toBe('2020-01-02');
    expect(utcDay(new Date('2020-01-02T23:30:00-02:00'))).toBe('2020-01-03');
  });

  describe('the bounds of one day', () => {
    it('run from its UTC midnight to the next one (24 h, across a month end too)', () => {
      expect(dayBounds('2020-01-02')).toEqual({
        from: '2020-01-02T00:00:00.000Z',
        to: '2020-01-03T00:00:00.000Z',
      });
      expect(dayBounds('2020-02-29')).toEqual({
        from: '2020-02-29T00:00:00.000Z',
        to: '2020-03-01T00:00:00.000Z',
      });
    });

    it.each([
      '2020-1-02',
      '2020-01-02T00:00:00Z',
      ' 2020-01-02',
      '2020-01-02 ',
      'x2020-01-02',
      '2020-13-45',
      '',
    ])('refuse %j, naming it', (day) => {
      expect(() => dayBounds(day)).toThrow(`not a day: ${day}`);
    });

    it.each(['2021-02-29', '2020-02-30', '2020-04-31'])(
      'refuse %j, a day that does not exist, instead of reading it as the next one',
      (day) => {
        expect(() => dayBounds(day)).toThrow(`not a day: ${day}`);
      },
    );

    it('refuse an extended-year date, which a timestamp parser would accept', () => {
      expect(() => dayBounds('+010000-01')).toThrow('not a day: +010000-01');
    });
  });

  it('keys a partition record by table and day', () => {
    expect(recordId('market.prices', '2020-01-02')).toBe('market.prices@2020-01-02');
  });

  it('writes each attempt under its own Hive-style folder: dataset/table/dt=day/attempt-n', () => {
    expect(archiveLocation('market.prices', '2020-01-02', 1)).toBe('market/prices/dt=2020-01-02/attempt-1');
    expect(archiveLocation('market.prices', '2020-01-02', 2)).toBe('market/prices/dt=2020-01-02/attempt-2');
  });

  describe('the next step of a partition', () => {
    const record = (state: ArchiveState): PartitionArchiveRecord => ({
      table: 'market.prices',
      day: '2020-01-02',
      state,
      attempt: 1,
      location: 'market/prices/dt=2020-01-02/attempt-1',
      sourceRows: 3,
      objects: [],
      updatedAt: '2020-03-20T23:59:00Z',
    });

    it('exports a partition never seen, or one whose export was interrupted', () => {
      expect(nextStep(undefined)).toBe('export');
      expect(nextStep(record('exporting'))).toBe('export');
    });

    it('verifies before deleting, deletes only once verified, and stops once deleted', () => {
      expect(nextStep(record('exported'))).toBe('verify');
      expect(nextStep(record('verified'))).toBe('delete');
      expect(nextStep(record('deleted'))).toBe('done');
    });
  });

  describe('verification', () => {
    it('holds when the archive and the source still hold exactly the rows exported', () => {
      expect(countsMatch(3, 3, 3)).toBe(true);
      expect(countsMatch(0, 0, 0)).toBe(true);
    });

    it('fails when the archive lost or gained a row, or rows arrived in the source since the export', () => {
      expect(countsMatch(3, 2, 3)).toBe(false);
      expect(countsMatch(3, 4, 3)).toBe(false);
      expect(countsMatch(3, 3, 4)).toBe(false);
      expect(countsMatch(3, 3, 2)).toBe(false);
    });
  });
});
