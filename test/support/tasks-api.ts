import { ApiHarness } from './api-harness';

export interface TaskRunJson {
  runId: string;
  status: string;
  result: string;
  jobId: string | null;
  snapshotUrl?: string;
  scheduledTime: number;
  trigger: 'task' | 'manual';
  attempt: number;
  retryOf: string | null;
}

/** Calls of the tasks API (`/sharing/rest/community/users/{u}/tasks`) the task tests share. */
export class TasksApi {
  constructor(
    private readonly h: { http: ApiHarness['http'] },
    private readonly token: string,
    readonly username: string,
  ) {}

  private get base() {
    return `/sharing/rest/community/users/${this.username}/tasks`;
  }

  private auth() {
    return { Authorization: `Bearer ${this.token}` };
  }

  /** createTask as a form post; cron fields default to every second. Returns the raw response. */
  create(itemId: string, fields: Record<string, unknown> = {}) {
    const form: Record<string, string> = {};
    const all = { title: 'task', type: 'ExecuteNotebook', itemId, second: '*', minute: '*', hour: '*', dayOfMonth: '*', month: '*', dayOfWeek: '?', f: 'json', ...fields };
    for (const [k, v] of Object.entries(all)) if (v !== undefined) form[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return this.h.http.post(`${this.base}/createTask`).set(this.auth()).type('form').send(form);
  }

  async createOk(itemId: string, fields: Record<string, unknown> = {}): Promise<string> {
    const res = await this.create(itemId, fields);
    if (res.status !== 200) throw new Error(`createTask: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.taskId;
  }

  list(query: Record<string, string> = {}) {
    return this.h.http.get(this.base).set(this.auth()).query(query);
  }

  get(taskId: string) {
    return this.h.http.get(`${this.base}/${taskId}`).set(this.auth());
  }

  post(taskId: string, op: 'update' | 'enable' | 'disable' | 'delete', form: Record<string, string> = {}) {
    return this.h.http.post(`${this.base}/${taskId}/${op}`).set(this.auth()).type('form').send(form);
  }

  /** Run now (ours); `form` may carry `parameters` overrides. */
  runNow(taskId: string, form: Record<string, string> = {}) {
    return this.h.http.post(`${this.base}/${taskId}/run`).set(this.auth()).type('form').send(form);
  }

  async runs(taskId: string): Promise<TaskRunJson[]> {
    const res = await this.h.http.get(`${this.base}/${taskId}/runs`).set(this.auth()).query({ num: 1000 });
    if (res.status !== 200) throw new Error(`runs: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.runs;
  }

  run(taskId: string, runId: string) {
    return this.h.http.get(`${this.base}/${taskId}/runs/${runId}`).set(this.auth());
  }

  deleteRun(taskId: string, runId: string) {
    return this.h.http.post(`${this.base}/${taskId}/runs/${runId}/delete`).set(this.auth()).type('form').send({});
  }
}
