import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { notFound, renderAsAdmin } from '../test-session';
import { Webhooks } from './Webhooks';

const ITEM = 'c'.repeat(32);
const HOOKS = '/sharing/rest/portals/self/webhooks';
const SINCE = Date.UTC(2026, 10, 30, 9, 0);

/** The Webhooks page against a stand-in for the REST API: an inactive webhook, one of whose URIs never fires here. */
function setup() {
  const sent: { path: string; body: Record<string, string> }[] = [];
  let active = false;
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input), 'http://localhost').pathname;
    const reply = (b: unknown) => new Response(JSON.stringify(b), { status: 200 });
    if (init?.method === 'POST') {
      sent.push({ path, body: Object.fromEntries(new URLSearchParams(String(init.body))) });
      if (path === `${HOOKS}/w1/activate`) {
        active = true;
        return reply({ success: true, failedRecords: 4, failedSince: SINCE });
      }
      if (path === `${HOOKS}/w1/recover`) return reply({ success: true, recovered: 4 });
      return reply({ success: true });
    }
    if (path === HOOKS)
      return reply({
        total: 1,
        webhooks: [
          {
            id: 'w1',
            name: 'Publisher',
            payloadUrl: 'https://hooks.example.org/in',
            isActive: active,
            config: {},
            events: [`/items/${ITEM}/publish`, '/items/add'],
            inactiveEvents: [{ event: `/items/${ITEM}/publish`, reason: 'This server hosts no services, so items are never published.' }],
          },
        ],
      });
    if (path === `${HOOKS}/settings`) return reply({ notificationAttempts: 3, notificationTimeOutInSeconds: 10, notificationElapsedTimeInSeconds: 30 });
    if (path === '/arcgis/admin/notebooks/webhookReceivers') return reply({ webhookReceivers: [] });
    if (path === '/sharing/rest/portals/self/users') return reply({ users: [{ username: 'admin' }] });
    if (path === '/sharing/rest/content/users/admin') return reply({ items: [] });
    return notFound(path);
  }) as typeof fetch;
  renderAsAdmin(<Webhooks />, fetchImpl);
  return sent;
}

describe('Webhooks', () => {
  it('marks a trigger URI that never fires here, with the reason', async () => {
    setup();
    const row = (await screen.findByRole('rowheader', { name: 'Publisher' })).closest('tr')!;
    expect(within(row).getByText('Never fires here')).toBeTruthy();
    expect(within(row).getByText(/items are never published/)).toBeTruthy();
    expect(within(row).getAllByText('Never fires here')).toHaveLength(1); // /items/add fires
  });

  it('activating a webhook with failed records offers to send them again (recover since the oldest)', async () => {
    const sent = setup();
    const row = (await screen.findByRole('rowheader', { name: 'Publisher' })).closest('tr')!;
    await act(async () => fireEvent.click(within(row).getByRole('button', { name: 'Activate' })));
    const offer = await screen.findByRole('region', { name: 'Recover failed records' });
    expect(within(offer).getByText(/4 failed record\(s\)/)).toBeTruthy();
    await act(async () => fireEvent.click(within(offer).getByRole('button', { name: 'Send them again' })));
    expect(sent.map((s) => s.path)).toEqual([`${HOOKS}/w1/activate`, `${HOOKS}/w1/recover`]);
    expect(sent[1].body).toMatchObject({ since: String(SINCE) });
    expect(await screen.findByText(/4 record\(s\) of “Publisher” are being sent again/)).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Recover failed records' })).toBeNull();
  });
});
