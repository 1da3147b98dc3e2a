import { KeyedQueue } from '../../../shared/platform/keyed-queue';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedQueue', () => {
  it('runs the work of one key one at a time, in arrival order, and other keys alongside', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const gates: Record<string, () => void> = {};
    const job = (name: string) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${name}`);
        gates[name] = () => {
          log.push(`end ${name}`);
          resolve(name);
        };
      });
    const a1 = q.run('a', job('a1'));
    const a2 = q.run('a', job('a2'));
    const b1 = q.run('b', job('b1'));
    await tick();
    expect(log).toEqual(['start a1', 'start b1']);
    gates.a1();
    await tick();
    expect(log).toEqual(['start a1', 'start b1', 'end a1', 'start a2']);
    gates.a2();
    gates.b1();
    expect(await Promise.all([a1, a2, b1])).toEqual(['a1', 'a2', 'b1']);
  });

  it('lets the next work run after a failure, and forgets idle keys', async () => {
    const q = new KeyedQueue();
    const failed = q.run('a', async () => {
      throw new Error('boom');
    });
    const next = q.run('a', async () => 'after');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('after');
    await tick();
    expect(q.size).toBe(0);
  });
});
