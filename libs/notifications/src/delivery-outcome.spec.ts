import type { NotificationStatus } from '@app/db';
import { withDeliveryOutcomes } from './delivery-outcome';

const last = (sent: NotificationStatus['sent']): NotificationStatus => ({ at: 1, events: ['failure'], taskRunId: 'r', jobId: 'j', sent });

describe('withDeliveryOutcomes', () => {
  const queued = { via: 'url' as const, to: 'https://hooks.example.org/…', status: 'queued' as const, deliveryId: 'd1' };

  it('a delivered URL becomes sent, with the HTTP status and attempts', () => {
    const out = withDeliveryOutcomes(last([{ via: 'email', to: 'a@example.org', status: 'sent' }, queued]), [
      { id: 'd1', status: 'succeeded', attempts: 2, httpStatus: 204, responseText: 'HTTP 204' },
    ]);
    expect(out?.sent).toEqual([
      { via: 'email', to: 'a@example.org', status: 'sent' },
      { ...queued, status: 'sent', detail: 'HTTP 204 after 2 attempts', httpStatus: 204, attempts: 2 },
    ]);
  });

  it('a delivery given up becomes failed, with the reason on one short line', () => {
    const [answered] = withDeliveryOutcomes(last([queued]), [{ id: 'd1', status: 'failed', attempts: 3, httpStatus: 500, responseText: 'oops\n  broken' }])!.sent;
    expect(answered).toEqual({ ...queued, status: 'failed', detail: 'HTTP 500: oops broken (after 3 attempts)', httpStatus: 500, attempts: 3 });
    const [silent] = withDeliveryOutcomes(last([queued]), [{ id: 'd1', status: 'failed', attempts: 1, httpStatus: null, responseText: 'x'.repeat(500) }])!.sent;
    expect(silent.detail).toBe(`${'x'.repeat(200)}… (after 1 attempt)`);
    expect(silent.httpStatus).toBeUndefined();
  });

  it('nothing to change while deliveries are pending or unknown', () => {
    expect(withDeliveryOutcomes(last([queued]), [{ id: 'd1', status: 'pending', attempts: 1, httpStatus: 500, responseText: null }])).toBeNull();
  });

  it('a delivery record that is gone is a failure, so the notice is not looked at forever', () => {
    expect(withDeliveryOutcomes(last([queued]), [])?.sent).toEqual([{ ...queued, status: 'failed', detail: 'the delivery record was deleted before it finished' }]);
  });
});
