import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TriggerGroup } from '../lib/triggers';
import { notFound, renderAsAdmin } from '../test-session';
import { WebhookForm } from './WebhookForm';

const ITEM = 'b'.repeat(32);

// A part of the server's catalogue (GET …/webhooks/triggerEvents).
const CATALOGUE: TriggerGroup[] = [
  {
    kind: 'items',
    title: 'Items',
    all: 'All trigger events for all items',
    any: [
      { op: 'add', label: 'An item is added to the portal' },
      { op: 'publish', label: 'Any item is published', inactive: 'This server hosts no services.' },
    ],
    specific: { label: 'A specific item', target: 'item', all: 'All trigger events for the item', ops: [{ op: 'update', label: "The item's properties are updated" }] },
  },
  { kind: 'users', title: 'Users', all: 'All trigger events for all users in the portal', any: [], specific: { label: 'A specific user', target: 'user', all: 'All trigger events associated with the user', ops: [{ op: 'signIn', label: 'The user has signed in to the portal' }] } },
];

/** The webhook form against a stand-in for the REST API: what it sends for a catalogue choice. */
function setup(id?: string) {
  const sent: { path: string; body: Record<string, string> }[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input), 'http://localhost').pathname;
    const reply = (b: unknown) => new Response(JSON.stringify(b), { status: 200 });
    if (init?.method === 'POST') {
      sent.push({ path, body: Object.fromEntries(new URLSearchParams(String(init.body))) });
      return reply({ success: true, webhook: {} });
    }
    if (path === '/sharing/rest/portals/self/users') return reply({ users: [{ username: 'admin' }, { username: 'bob' }] });
    if (path === '/sharing/rest/content/users/admin') return reply({ items: [{ id: ITEM, title: 'Report', owner: 'admin', type: 'Notebook' }] });
    if (path === '/sharing/rest/content/users/bob') return reply({ items: [] });
    if (path === '/sharing/rest/community/self') return reply({ username: 'admin', groups: [] });
    if (path === '/sharing/rest/portals/self/webhooks/triggerEvents') return reply({ triggerGroups: CATALOGUE });
    if (path === '/sharing/rest/portals/self/webhooks/w1')
      return reply({ id: 'w1', name: 'Runs report', payloadUrl: '', isActive: true, events: ['/users/bob/signIn'], config: { properties: { federatedServer: { itemId: ITEM, tokenTypeToSend: 'user', tokenExpirationTimeMinutes: 30 } } } });
    return notFound(path);
  }) as typeof fetch;
  renderAsAdmin(<WebhookForm id={id} />, fetchImpl);
  return sent;
}

describe('WebhookForm', () => {
  it('creates a webhook from catalogue choices, a specific item picked by name included', async () => {
    const sent = setup();
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Watcher' } });
    fireEvent.change(screen.getByLabelText('Payload URL'), { target: { value: 'https://hooks.example.org/in' } });
    fireEvent.click(await screen.findByLabelText('An item is added to the portal'));
    expect(screen.getByText(/Not raised by this server: This server hosts no services/)).toBeTruthy();
    await waitFor(() => expect(screen.getAllByRole('option', { name: 'Report (admin)' })).toHaveLength(1));
    fireEvent.change(screen.getByRole('combobox', { name: 'A specific item' }), { target: { value: ITEM } });
    fireEvent.change(screen.getByLabelText('Event of the item'), { target: { value: 'update' } });
    fireEvent.click(screen.getAllByRole('button', { name: 'Add event' })[0]);
    expect(screen.getByText(`/items/${ITEM}/update`)).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    expect(sent).toHaveLength(1);
    expect(sent[0].path).toBe('/sharing/rest/portals/self/webhooks/createWebhook');
    expect(sent[0].body).toMatchObject({ name: 'Watcher', url: 'https://hooks.example.org/in', changes: 'manualChanges', events: `/items/add,/items/${ITEM}/update` });
    expect(JSON.parse(sent[0].body.config)).toEqual({ deactivationPolicy: { numberOfFailures: 5, daysInPast: 5 } });
  });

  it('edits a notebook webhook: opens with its notebook, token type and events, and sends all changes', async () => {
    const sent = setup('w1');
    await screen.findByDisplayValue('Runs report');
    expect((screen.getByLabelText('Token type') as HTMLSelectElement).value).toBe('user');
    expect(screen.getByText('/users/bob/signIn')).toBeTruthy();
    fireEvent.click(screen.getByLabelText('All changes'));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    expect(sent[0].path).toBe('/sharing/rest/portals/self/webhooks/w1/update');
    expect(sent[0].body.changes).toBe('allChanges');
    expect(sent[0].body.url).toBeUndefined();
    expect(JSON.parse(sent[0].body.config).properties.federatedServer).toEqual({ itemId: ITEM, tokenTypeToSend: 'user', tokenExpirationTimeMinutes: 30 });
  });
});
