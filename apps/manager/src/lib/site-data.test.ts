import { describe, expect, it, vi } from 'vitest';
import { Http } from '../api/http';
import { restClient } from '../api/rest';
import { visibleTasks } from './site-data';

const task = (id: string, userId: string) => ({ id, userId, title: id });

/** The task lists of the REST API. */
function server() {
  const paths: string[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL) => {
    const path = new URL(String(input), 'http://localhost').pathname;
    paths.push(path);
    const reply = (status: number, b: unknown) => new Response(JSON.stringify(b), { status });
    if (path === '/arcgis/admin/notebooks/tasks')
      return reply(200, { tasks: [task('t1', 'ann'), task('t2', 'bob')] });
    if (path === '/sharing/rest/portals/self/users') return reply(200, { users: [{ username: 'ann' }, { username: 'bob' }] });
    const m = /^\/sharing\/rest\/community\/users\/(\w+)\/tasks$/.exec(path);
    if (m) return reply(200, { tasks: [task(`${m[1]}-task`, m[1])] });
    return reply(404, { error: { code: 404, messageCode: 'NOT_FOUND', message: `Cannot GET ${path}`, details: [] } });
  });
  return { api: restClient(new Http(() => 't', { renew: async () => false, ended: () => undefined }, fetchImpl as unknown as typeof fetch)), paths };
}

describe('visibleTasks', () => {
  it('an administrator gets every task from the site-wide list', async () => {
    const s = server();
    expect((await visibleTasks(s.api, 'ann', true)).map((t) => t.id)).toEqual(['t1', 't2']);
    expect(s.paths).toEqual(['/arcgis/admin/notebooks/tasks']);
  });

  it('an author gets their own tasks only', async () => {
    const s = server();
    expect((await visibleTasks(s.api, 'bob', false)).map((t) => t.id)).toEqual(['bob-task']);
    expect(s.paths).toEqual(['/sharing/rest/community/users/bob/tasks']);
  });
});
