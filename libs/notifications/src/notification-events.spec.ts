import { eventsOf, recipientsOf, shownUrl } from './notification-events';

describe('notification events', () => {
  const base = { retried: false, previous: null, disabledByThis: false } as const;

  it('a retried attempt is no outcome yet', () => {
    expect(eventsOf({ ...base, status: 'failed', retried: true })).toEqual([]);
  });

  it('failure, failure that disables, success, and success after a failed fire (recovery)', () => {
    expect(eventsOf({ ...base, status: 'failed' })).toEqual(['failure']);
    expect(eventsOf({ ...base, status: 'submitfailed', disabledByThis: true })).toEqual(['failure', 'disabled']);
    expect(eventsOf({ ...base, status: 'succeeded' })).toEqual(['success']);
    expect(eventsOf({ ...base, status: 'succeeded', previous: 'succeeded' })).toEqual(['success']);
    expect(eventsOf({ ...base, status: 'succeeded', previous: 'failed' })).toEqual(['success', 'recovery']);
  });

  it('the task list replaces the owner default for its event; e-mails and URLs are told apart', () => {
    const ownerOn = ['failure', 'disabled'] as const;
    expect(recipientsOf('failure', null, 'o@example.org', [...ownerOn])).toEqual({ emails: ['o@example.org'], urls: [] });
    expect(recipientsOf('success', null, 'o@example.org', [...ownerOn])).toEqual({ emails: [], urls: [] });
    expect(recipientsOf('failure', { onFailure: [] }, 'o@example.org', [...ownerOn])).toEqual({ emails: [], urls: [] });
    expect(recipientsOf('failure', { onFailure: ['a@x.org', 'https://hooks.example.com/T/1', 'a@x.org'] }, null, [])).toEqual({
      emails: ['a@x.org'],
      urls: ['https://hooks.example.com/T/1'],
    });
    expect(recipientsOf('disabled', { onFailure: ['a@x.org'] }, null, [...ownerOn])).toEqual({ emails: [], urls: [] });
  });

  it('shows a URL without its path', () => {
    expect(shownUrl('https://hooks.slack.com/services/T000/B000/SECRET')).toBe('https://hooks.slack.com/…');
  });
});
