import { ApiHarness } from './support/api-harness';
import { bearer, expectError, ok } from './support/rest-expect';

/** Portal search (`/search`, `community/users`, `community/groups`) on Postgres: syntax, access, paging. */
describe('search', () => {
  let h: ApiHarness;
  let admin: string;
  let alice: string;
  let bob: string;
  const ids: Record<string, string> = {};

  const search = (q: string, token?: string, extra: Record<string, string> = {}) => {
    const r = h.http.post('/sharing/rest/search').type('form').send({ q, f: 'json', ...extra });
    return token ? r.set(bearer(token)) : r;
  };
  const titles = async (q: string, token?: string, extra: Record<string, string> = {}) =>
    (ok(await search(q, token, { num: '100', sortField: 'title', ...extra })).results as Array<{ title: string }>).map((r) => r.title);

  const add = async (token: string, owner: string, title: string, fields: Record<string, string> = {}) => {
    const res = await h.http
      .post(`/sharing/rest/content/users/${owner}/addItem`)
      .set(bearer(token))
      .type('form')
      .send({ type: 'Notebook', title, text: JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }), ...fields });
    ids[title] = ok(res).id;
  };
  const share = (token: string, owner: string, title: string, form: Record<string, string>) =>
    h.http.post(`/sharing/rest/content/users/${owner}/items/${ids[title]}/share`).set(bearer(token)).type('form').send(form);

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
    alice = await h.user('alice');
    bob = await h.user('bob');
    await add(alice, 'alice', 'Fire maps daily', { tags: 'fire,daily', snippet: 'wildfire perimeters' });
    await add(alice, 'alice', 'Flood report', { tags: 'water', snippet: 'river levels' });
    await add(alice, 'alice', 'Secret notes', { tags: 'fire', snippet: 'private stuff' });
    await add(bob, 'bob', 'Bob public fire', { tags: 'FIRE', snippet: 'open to all' });
    await add(bob, 'bob', 'Bob org report', { snippet: '50% done' });
    ok(await share(alice, 'alice', 'Fire maps daily', { org: 'true' }));
    ok(await share(alice, 'alice', 'Flood report', { org: 'true' }));
    ok(await share(bob, 'bob', 'Bob public fire', { everyone: 'true' }));
    ok(await share(bob, 'bob', 'Bob org report', { org: 'true' }));
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('answers the portal envelope, paged with nextStart', async () => {
    const first = ok(await search('report', admin, { num: '1', sortField: 'title' }));
    expect(first).toEqual({ query: 'report', total: 2, start: 1, num: 1, nextStart: 2, results: [expect.objectContaining({ title: 'Bob org report', owner: 'bob', type: 'Notebook' })] });
    const last = ok(await search('report', admin, { num: '1', start: '2', sortField: 'title' }));
    expect(last).toMatchObject({ total: 2, start: 2, nextStart: -1, results: [expect.objectContaining({ title: 'Flood report' })] });
    expect(ok(await h.http.get('/sharing/rest/search').query({ q: 'report', f: 'json' }).set(bearer(admin))).total).toBe(2);
  });

  it('bare words look in title, tags and snippet, case-insensitively', async () => {
    expect(await titles('fire', admin)).toEqual(['Bob public fire', 'Fire maps daily', 'Secret notes']);
    expect(await titles('perimeters', admin)).toEqual(['Fire maps daily']);
    expect(await titles('"50% done"', admin)).toEqual(['Bob org report']);
  });

  it('filters on fields, with AND, OR, NOT and parentheses', async () => {
    expect(await titles('owner:bob', admin)).toEqual(['Bob org report', 'Bob public fire']);
    expect(await titles('tags:fire AND owner:alice', admin)).toEqual(['Fire maps daily', 'Secret notes']);
    expect(await titles('title:flood OR title:secret', admin)).toEqual(['Flood report', 'Secret notes']);
    expect(await titles('fire NOT owner:bob', admin)).toEqual(['Fire maps daily', 'Secret notes']);
    expect(await titles('(owner:bob OR tags:water) AND NOT access:public', admin)).toEqual(['Bob org report', 'Flood report']);
    expect(await titles(`id:${ids['Flood report']}`, admin)).toEqual(['Flood report']);
    expect(await titles('type:Notebook AND typekeywords:Python AND orgid:0123456789ABCDEF AND title:Fl*d', admin)).toEqual(['Flood report']);
    expect(await titles('typekeywords:"Web Map"', admin)).toEqual([]);
  });

  it('shows each caller only what they may read', async () => {
    expect(await titles('fire', bob)).toEqual(['Bob public fire', 'Fire maps daily']); // not alice's private notes
    expect(await titles('', undefined)).toEqual(['Bob public fire']); // anonymous: public only
    expect(await titles('*', alice)).toEqual(['Bob org report', 'Bob public fire', 'Fire maps daily', 'Flood report', 'Secret notes']);
  });

  it('finds items shared to a group with group:, for its members', async () => {
    const g = ok(await h.http.post('/sharing/rest/community/createGroup').set(bearer(admin)).type('form').send({ title: 'Crew', access: 'private' })).group.id;
    ok(await h.http.post(`/sharing/rest/community/groups/${g}/addUsers`).set(bearer(admin)).type('form').send({ users: 'alice,bob' }));
    ok(await share(alice, 'alice', 'Secret notes', { groups: g }));
    expect(await titles(`id: ${ids['Secret notes']} AND group: ${g}`, bob)).toEqual(['Secret notes']);
    expect(await titles(`group:${g}`, admin)).toEqual(['Secret notes']);
  });

  it('sorts by sortField and sortOrder', async () => {
    expect(await titles('owner:alice', admin, { sortField: 'title', sortOrder: 'desc' })).toEqual(['Secret notes', 'Flood report', 'Fire maps daily']);
  });

  it('refuses an unknown field or bad syntax with a clear 400 that does not echo the query', async () => {
    const unknown = expectError(await search('colour:red AND token=abc123', admin), 400, { messageCode: 'UNKNOWN_SEARCH_FIELD' });
    expect(unknown.message).toMatch(/Unknown search field 'colour'; the fields are: title, owner, /);
    expect(unknown.message).not.toContain('abc123');
    const syntax = expectError(await search('(fire OR password123', admin), 400, { messageCode: 'INVALID_QUERY' });
    expect(syntax.message).not.toContain('password123');
  });

  it('searches users of the organization, e-mail for administrators only', async () => {
    const asBob = ok(await h.http.post('/sharing/rest/community/users').set(bearer(bob)).type('form').send({ q: 'ali', excludeSystemUsers: 'true', num: '10', f: 'json' }));
    expect(asBob).toMatchObject({ total: 1, nextStart: -1, results: [expect.objectContaining({ username: 'alice' })] });
    expect(asBob.results[0].email).toBeUndefined();
    const asAdmin = ok(await h.http.get('/sharing/rest/community/users').set(bearer(admin)).query({ q: 'username:alice OR username:bob', sortField: 'username' }));
    expect(asAdmin.results.map((u: { username: string; email: string }) => [u.username, u.email])).toEqual([
      ['alice', 'alice@example.org'],
      ['bob', 'bob@example.org'],
    ]);
    expectError(await h.http.get('/sharing/rest/community/users').query({ q: 'x' }), 401, { code: 499 });
  });

  it('searches groups the caller may see', async () => {
    ok(await h.http.post('/sharing/rest/community/createGroup').set(bearer(admin)).type('form').send({ title: 'Open house', access: 'public', tags: 'open' }));
    ok(await h.http.post('/sharing/rest/community/createGroup').set(bearer(admin)).type('form').send({ title: 'Hidden room', access: 'private' }));
    const groupTitles = async (q: string, token?: string) => {
      const r = h.http.post('/sharing/rest/community/groups').type('form').send({ q, sortField: 'title', num: '100', f: 'json' });
      return (ok(await (token ? r.set(bearer(token)) : r)).results as Array<{ title: string }>).map((g) => g.title);
    };
    expect(await groupTitles('*', admin)).toEqual(['Crew', 'Hidden room', 'Open house']);
    expect(await groupTitles('*', bob)).toEqual(['Crew', 'Open house']); // member of Crew
    expect(await groupTitles('')).toEqual(['Open house']);
    expect(await groupTitles('tags:open AND owner:admin', admin)).toEqual(['Open house']);
  });
});
