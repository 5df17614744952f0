import { FakeClock } from '@app/clock';
import type { RunEntity } from '@app/db';
import type { Metrics } from '@app/metrics';
import type { RunProgress } from './progress/run-progress';
import { RunFinisher } from './run-finisher';
import { RunHooks } from './run-hooks';
import type { RunsRepository } from './runs.repository';

const down = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('RunFinisher', () => {
  const setup = () => {
    const clock = new FakeClock(new Date('2026-03-01T10:00:00Z'));
    let status = 'PROCESSING';
    const writes: Array<{ status: string; finishedAt: Date; messages: string[] }> = [];
    const finish = jest.fn(async (_id: string, patch: { status: string; finishedAt: Date }, messages: string[]) => {
      if (status !== 'PROCESSING') return false;
      writes.push({ status: patch.status, finishedAt: patch.finishedAt, messages });
      status = patch.status;
      return true;
    });
    const runs = { finish, findById: jest.fn(async (id: string) => ({ id, status }) as unknown as RunEntity) } as unknown as RunsRepository;
    const hooks = new RunHooks();
    const told: string[] = [];
    hooks.onFinished(async (r) => void told.push(`${r.id}:${r.status}`));
    const metrics = { runFinished: () => undefined } as unknown as Metrics;
    const progress = { status: async () => undefined } as unknown as RunProgress;
    return { clock, runs, finish, writes, told, finisher: new RunFinisher(runs, hooks, metrics, progress, clock) };
  };

  it('finishes once and tells the listeners once; a second finish changes nothing', async () => {
    const { finisher, told, writes, clock } = setup();
    expect(await finisher.finish('r1', { status: 'COMPLETED', messages: ['ok'] })).toBe(true);
    expect(await finisher.finish('r1', { status: 'FAILED', messages: ['late'] })).toBe(false);
    expect(writes).toEqual([{ status: 'COMPLETED', finishedAt: clock.now(), messages: ['ok'] }]);
    expect(told).toEqual(['r1:COMPLETED']);
  });

  it('keeps the outcome while Postgres does not answer and writes it when it does, with the time it ended', async () => {
    const { finisher, finish, writes, told, clock } = setup();
    const endedAt = clock.now();
    const real = finish.getMockImplementation()!;
    finish.mockRejectedValueOnce(down()).mockRejectedValueOnce(down()).mockImplementation(real);
    const p = finisher.finish('r1', { status: 'COMPLETED', messages: ['ok'] });
    clock.advance(60_000); // time passes while the database is down
    expect(await p).toBe(true);
    expect(finish).toHaveBeenCalledTimes(3);
    expect(writes[0].finishedAt).toEqual(endedAt);
    expect(told).toEqual(['r1:COMPLETED']);
  });

  it('an outcome Postgres refuses (not an outage) still ends the run, as FAILED with the reason', async () => {
    const { finisher, finish, writes } = setup();
    const real = finish.getMockImplementation()!;
    finish.mockRejectedValueOnce(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' })).mockImplementation(real);
    expect(await finisher.finish('r1', { status: 'COMPLETED', messages: ['ok'], artifacts: { notebook: '\0', snapshotHtml: '' } })).toBe(true);
    expect(writes).toEqual([expect.objectContaining({ status: 'FAILED', messages: [expect.stringMatching(/could not be stored .*0x00/)] })]);
  });

  it('gives up waiting when the process shuts down', async () => {
    const { finisher, finish } = setup();
    finish.mockRejectedValue(down());
    const p = finisher.finish('r1', { status: 'COMPLETED', messages: [] });
    finisher.onApplicationShutdown();
    await expect(p).rejects.toThrow(/ECONNREFUSED/);
  });
});
