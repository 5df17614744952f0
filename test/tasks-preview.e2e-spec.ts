import { FakeClock } from '@app/clock';
import { ApiHarness } from './support/api-harness';
import { bearer, expectError, ok } from './support/rest-expect';

/** `…/tasks/previewSchedule`: a schedule's next run times, validated exactly as createTask validates it. */
describe('previewSchedule', () => {
  let h: ApiHarness;
  let admin: string;
  const clock = new FakeClock(new Date('2026-03-27T12:00:00Z'));
  const path = (u = 'admin') => `/sharing/rest/community/users/${u}/tasks/previewSchedule`;
  const daily = { second: '0', minute: '0', hour: '6', dayOfMonth: '*', month: '*', dayOfWeek: '?' };

  beforeAll(async () => {
    h = await ApiHarness.start({}, { clock });
    admin = await h.token();
  });
  afterAll(() => h?.stop());

  it('lists the next five fires in the time zone, across a daylight-saving change', async () => {
    const body = ok(await h.http.post(path()).set(bearer(admin)).type('form').send({ ...daily, timeZone: 'Europe/Lisbon' }));
    expect(body.timeZone).toBe('Europe/Lisbon');
    // Lisbon moves from UTC+0 to UTC+1 on 29 March 2026: 06:00 local is 06:00Z, then 05:00Z.
    expect(body.nextRuns.map((t: number) => new Date(t).toISOString())).toEqual([
      '2026-03-28T06:00:00.000Z',
      '2026-03-29T05:00:00.000Z',
      '2026-03-30T05:00:00.000Z',
      '2026-03-31T05:00:00.000Z',
      '2026-04-01T05:00:00.000Z',
    ]);
  });

  it('takes a query string too (GET), with the second field, count, and no time zone meaning UTC', async () => {
    const body = ok(await h.http.get(path()).set(bearer(admin)).query({ second: '*/10', minute: '*', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '?', count: 3 }));
    expect(body).toEqual({ timeZone: 'UTC', nextRuns: [clock.nowMs() + 10_000, clock.nowMs() + 20_000, clock.nowMs() + 30_000] });
  });

  it('honours startDate, endDate and maxOccurrences', async () => {
    const start = Date.parse('2026-04-10T00:00:00Z');
    const end = Date.parse('2026-04-12T23:00:00Z');
    const body = ok(await h.http.post(path()).set(bearer(admin)).type('form').send({ ...daily, startDate: start, endDate: end }));
    expect(body.nextRuns.map((t: number) => new Date(t).toISOString())).toEqual(['2026-04-10T06:00:00.000Z', '2026-04-11T06:00:00.000Z', '2026-04-12T06:00:00.000Z']);
    const once = ok(await h.http.post(path()).set(bearer(admin)).type('form').send({ ...daily, maxOccurrences: 1 }));
    expect(once.nextRuns).toHaveLength(1);
  });

  it('names the field that is wrong, as createTask does', async () => {
    const bad = expectError(await h.http.post(path()).set(bearer(admin)).type('form').send({ ...daily, minute: '99' }), 400, { messageCode: 'INVALID_SCHEDULE' });
    expect(bad.details[0]).toMatch(/^minute: /);
    const zone = expectError(await h.http.post(path()).set(bearer(admin)).type('form').send({ ...daily, timeZone: 'Mars/Olympus' }), 400, { messageCode: 'INVALID_SCHEDULE' });
    expect(zone.details[0]).toMatch(/^timeZone: /);
    const missing = expectError(await h.http.post(path()).set(bearer(admin)).type('form').send({ second: '0', hour: '6', dayOfMonth: '*', month: '*', dayOfWeek: '?' }), 400);
    expect(missing.details.join()).toMatch(/^minute: /);
    const window = expectError(await h.http.post(path()).set(bearer(admin)).type('form').send({ ...daily, startDate: 2000, endDate: 1000 }), 400);
    expect(window.message).toContain('endDate');
  });

  it('is not taken for a task id, needs a token, and is refused for another user unless an administrator asks', async () => {
    const alice = await h.user('alice');
    ok(await h.http.get(path('alice')).set(bearer(alice)).query(daily));
    ok(await h.http.get(path('alice')).set(bearer(admin)).query(daily));
    expectError(await h.http.get(path('admin')).set(bearer(alice)).query(daily), 403);
    expectError(await h.http.get(path()).query(daily), 401, { code: 499 });
  });
});
