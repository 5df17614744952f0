import { ApiHarness } from './support/api-harness';
import { bearer, expectError, ok } from './support/rest-expect';
import { TasksApi } from './support/tasks-api';

/** The value encodings clients use: Python booleans, notebookParameters as an object or a list of dicts, flat task parameters. */
describe('client value encodings', () => {
  let h: ApiHarness;
  let admin: string;
  let item: string;
  let tasks: TasksApi;
  const yearly = { second: undefined, minute: '0', hour: '0', dayOfMonth: '1', month: 'JAN', dayOfWeek: '?' };
  const execute = (form: Record<string, string>) =>
    h.http.post('/arcgis/admin/notebooks/executeNotebook').set(bearer(admin)).type('form').send({ itemId: item, f: 'json', ...form });
  const inputsOf = async (jobId: string) => ok(await h.http.get(`/arcgis/admin/system/jobs/${jobId}`).set(bearer(admin))).inputs;

  beforeAll(async () => {
    h = await ApiHarness.start();
    admin = await h.token();
    item = await h.addNotebook(admin, 'admin');
    tasks = new TasksApi(h, admin, 'admin');
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('executeNotebook takes notebookParameters as an object or as a list of one-key objects, merged in order', async () => {
    const asObject = ok(await execute({ notebookParameters: '{"x":1,"y":"a"}' }));
    expect((await inputsOf(asObject.jobId)).notebookParameters).toEqual({ x: 1, y: 'a' });
    const asList = ok(await execute({ notebookParameters: '[{"x":1},{"y":"text"},{"x":2}]' }));
    expect((await inputsOf(asList.jobId)).notebookParameters).toEqual({ x: 2, y: 'text' });
  });

  it.each([['42'], ['"text"'], ['[1,2]'], ['[{"x":1},"y"]'], ['{not json']])('refuses notebookParameters=%s naming the accepted forms', async (v) => {
    const err = expectError(await execute({ notebookParameters: v }), 400);
    expect(err.message).toContain('a JSON object of parameter names to values ({"x":1}) or a JSON array of such objects');
  });

  it("reads Python's True/False", async () => {
    const job = ok(await execute({ updatePortalItem: 'False', saveInjectedParameters: 'True' }));
    expect(await inputsOf(job.jobId)).toEqual(expect.objectContaining({ updatePortalItem: false, saveInjectedParameters: true }));
  });

  it('a task given flat parameters runs them as notebookParameters; mixing both forms is refused', async () => {
    const id = await tasks.createOk(item, { ...yearly, parameters: { city: 'Oslo', days: 2, updatePortalItem: false } });
    expect(ok(await tasks.get(id)).parameters).toEqual(expect.objectContaining({ updatePortalItem: false, notebookParameters: { city: 'Oslo', days: 2 } }));
    const mixed = expectError(await tasks.create(item, { ...yearly, parameters: { city: 'Oslo', notebookParameters: { days: 2 } } }), 400);
    expect(mixed.message).toContain("unknown keys 'city': put notebook parameters inside notebookParameters");
    const listed = await tasks.createOk(item, { ...yearly, parameters: { notebookParameters: [{ a: 1 }, { b: 2 }] } });
    expect(ok(await tasks.get(listed)).parameters.notebookParameters).toEqual([{ a: 1 }, { b: 2 }]);
  });
});
