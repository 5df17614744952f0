import { ApiHarness, minimalNotebook } from './support/api-harness';

/** Item comments: the portal operations behind the seeds' addComment, updateComment and deleteComment events (real Postgres). */
describe('item comments (Postgres)', () => {
  let h: ApiHarness;
  let admin: string;
  let bob: string;
  let itemId: string;
  const post = (path: string, token: string, form: Record<string, string> = {}) => h.http.post(`/sharing/rest/content/items/${itemId}${path}`).set('Authorization', `Bearer ${token}`).type('form').send({ f: 'json', ...form });
  const get = (path: string, token: string) => h.http.get(`/sharing/rest/content/items/${itemId}${path}`).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
    bob = await h.user('bob');
    itemId = await h.addNotebook(admin, 'admin', minimalNotebook(), 'commented');
    await h.http.post(`/sharing/rest/content/users/admin/items/${itemId}/share`).set('Authorization', `Bearer ${admin}`).type('form').send({ org: 'true' });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('add, list, get, update, delete; each raises its event; authors and owners decide', async () => {
    const added = await post('/addComment', bob, { comment: 'Nice notebook' });
    expect(added.body).toEqual({ success: true, commentId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const id = added.body.commentId as string;
    await post('/addComment', admin, { comment: 'Thanks' });
    const list = (await get('/comments', bob)).body;
    expect(list).toMatchObject({ total: 2, start: 1, nextStart: -1 });
    expect(list.comments.map((c: { owner: string; comment: string }) => [c.owner, c.comment])).toEqual([['bob', 'Nice notebook'], ['admin', 'Thanks']]);
    expect((await get(`/comments/${id}`, bob)).body).toMatchObject({ id, owner: 'bob', comment: 'Nice notebook' });

    expect((await post(`/comments/${id}/update`, bob, { comment: 'Very nice notebook' })).body).toEqual({ success: true, commentId: id });
    const adminsComment = list.comments[1].id as string;
    expect((await post(`/comments/${adminsComment}/update`, bob, { comment: 'hijacked' })).status).toBe(403);
    expect((await post(`/comments/${adminsComment}/delete`, bob)).status).toBe(403);
    // The item's owner (admin here) deletes any comment on it.
    expect((await post(`/comments/${id}/delete`, admin)).body).toEqual({ success: true, commentId: id });
    expect((await get(`/comments/${id}`, bob)).status).toBe(404);

    const events = (await h.events()).filter((e) => e.operation.endsWith('Comment'));
    expect(events.map((e) => [e.operation, e.target_id, e.username])).toEqual([
      ['addComment', itemId, 'bob'],
      ['addComment', itemId, 'admin'],
      ['updateComment', itemId, 'bob'],
      ['deleteComment', itemId, 'admin'],
    ]);
    expect(events[0].properties).toEqual({ commentId: id });
  });

  it('an empty comment is a 400; an item one cannot read looks missing', async () => {
    const empty = await post('/addComment', admin, { comment: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/comment: is required/);
    const privateItem = await h.addNotebook(admin, 'admin', minimalNotebook(), 'private');
    const res = await h.http.post(`/sharing/rest/content/items/${privateItem}/addComment`).set('Authorization', `Bearer ${bob}`).type('form').send({ comment: 'hi' });
    expect(res.status).toBe(404);
  });
});
