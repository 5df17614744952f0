import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SessionProvider } from '../session';
import { TaskForm } from './TaskForm';

/** The form against a stand-in for the REST API: what it sends, and where it shows what comes back. */
function setup() {
  const previews: URLSearchParams[] = [];
  const created: URLSearchParams[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input), 'http://localhost').pathname;
    const body = new URLSearchParams(String(init?.body ?? ''));
    const reply = (status: number, b: unknown) => new Response(JSON.stringify(b), { status });
    if (path.endsWith('/tasks/previewSchedule')) {
      previews.push(body);
      if (body.get('minute') === '99') return reply(400, { error: { code: 400, messageCode: 'INVALID_SCHEDULE', message: 'Invalid schedule: minute: bad', details: ['minute: Constraint error, got value 99 expected range 0-59'] } });
      return reply(200, { timeZone: 'UTC', nextRuns: [1, 2, 3, 4, 5].map((i) => Date.UTC(2026, 0, i, 6)) });
    }
    if (path.endsWith('/createTask')) {
      created.push(body);
      return reply(200, { success: true, taskId: 't1' });
    }
    if (path === '/sharing/rest/content/users/alice') return reply(200, { items: [{ id: 'a'.repeat(32), title: 'Report', owner: 'alice', type: 'Notebook' }] });
    return reply(404, { error: { code: 404, messageCode: 'NOT_FOUND', message: 'nope', details: [] } });
  }) as typeof fetch;
  localStorage.setItem('nbautomation.manager.session', JSON.stringify({ token: 't', refreshToken: 'r', refreshExpires: Date.now() + 60_000, username: 'alice', fullName: 'Alice', role: 'org_user' }));
  render(
    <SessionProvider fetchImpl={fetchImpl}>
      <TaskForm />
    </SessionProvider>,
  );
  return { previews, created };
}

const field = (label: string) => screen.getByLabelText(label, { exact: true }) as HTMLInputElement;

describe('TaskForm', () => {
  it('previews the next five run times, and shows a schedule error at its field', async () => {
    const { previews } = setup();
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(5));
    expect(previews.at(-1)!.get('hour')).toBe('6');
    fireEvent.change(field('Minute'), { target: { value: '99' } });
    await waitFor(() => expect(field('Minute').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText(/expected range 0-59/)).toBeTruthy();
    expect(screen.queryAllByRole('listitem')).toHaveLength(0);
    expect((screen.getByLabelText('Repeat') as HTMLSelectElement).value).toBe('custom');
  });

  it('validates the parameters JSON before sending, then sends the task as createTask takes it', async () => {
    const { created } = setup();
    fireEvent.change(field('Title'), { target: { value: 'Daily report' } });
    await waitFor(() => expect(screen.getAllByRole('option', { name: 'Report' })).toHaveLength(1));
    fireEvent.change(screen.getByLabelText('Notebook', { exact: true }), { target: { value: 'a'.repeat(32) } });
    fireEvent.change(field('Time zone'), { target: { value: 'Europe/Lisbon' } });
    fireEvent.change(screen.getByLabelText('Parameters', { exact: true }), { target: { value: '[1, 2]' } });
    expect(screen.getByText(/Must be a JSON object/)).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    expect(created).toHaveLength(0);
    fireEvent.change(screen.getByLabelText('Parameters', { exact: true }), { target: { value: '{"city": "Lisbon"}' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    await waitFor(() => expect(created).toHaveLength(1));
    const sent = Object.fromEntries(created[0]);
    expect(sent).toMatchObject({ title: 'Daily report', itemId: 'a'.repeat(32), second: '0', minute: '0', hour: '6', dayOfMonth: '*', month: '*', dayOfWeek: '?', timeZone: 'Europe/Lisbon' });
    expect(JSON.parse(sent.parameters)).toEqual({ notebookParameters: { city: 'Lisbon' }, updatePortalItem: true, saveInjectedParameters: false });
  });
});
