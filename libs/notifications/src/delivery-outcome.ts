import type { DeliveryStatus, NotificationStatus } from '@app/db';

/** What the notifier needs of a URL notification's delivery record. */
export interface DeliveryOutcome {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  httpStatus: number | null;
  responseText: string | null;
}

/** A receiver's answer is shown to the task's owner: a line of it is enough. */
const DETAIL_CHARS = 200;

/**
 * The last notification with each `queued` URL whose delivery has finished replaced by its outcome (`sent` with the
 * HTTP status, or `failed` with the reason; `deliveries` holds every record that still exists); null when none has
 * finished yet.
 */
export function withDeliveryOutcomes(last: NotificationStatus, deliveries: DeliveryOutcome[]): NotificationStatus | null {
  const byId = new Map(deliveries.map((d) => [d.id, d]));
  let changed = false;
  const sent = last.sent.map((s) => {
    if (s.status !== 'queued' || !s.deliveryId) return s;
    const d = byId.get(s.deliveryId);
    if (!d) {
      // The record is made before the notice names it: gone means deleted (retention, or the administrator).
      changed = true;
      return { ...s, status: 'failed' as const, detail: 'the delivery record was deleted before it finished' };
    }
    if (d.status !== 'succeeded' && d.status !== 'failed') return s;
    changed = true;
    const tries = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
    const http = d.httpStatus === null ? null : `HTTP ${d.httpStatus}`;
    const text = oneLine(d.responseText);
    // The engine records `HTTP 500` as the text of an empty answer: said once.
    const why = [http, text === http ? '' : text].filter(Boolean);
    const detail = d.status === 'succeeded' ? `${http ?? 'delivered'} after ${tries}` : `${why.join(': ') || 'no answer'} (after ${tries})`;
    return {
      ...s,
      status: d.status === 'succeeded' ? ('sent' as const) : ('failed' as const),
      detail,
      ...(d.httpStatus === null ? {} : { httpStatus: d.httpStatus }),
      attempts: d.attempts,
    };
  });
  return changed ? { ...last, sent } : null;
}

function oneLine(text: string | null): string {
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  return line.length > DETAIL_CHARS ? `${line.slice(0, DETAIL_CHARS)}…` : line;
}
