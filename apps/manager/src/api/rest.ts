import type { TriggerGroup } from '../lib/triggers';
import { FormValue, Http } from './http';
import type {
  Activation,
  CronFields,
  Delivery,
  Group,
  Item,
  Job,
  Machine,
  Me,
  Page,
  PropertyLimit,
  Receiver,
  Role,
  SystemProperties,
  Task,
  TaskParameters,
  TaskRun,
  User,
  Webhook,
  WebhookConfig,
  WebhookSettings,
} from './types';

const enc = encodeURIComponent;
const SHARING = '/sharing/rest';
const ADMIN = '/arcgis/admin';
const HOOKS = `${SHARING}/portals/self/webhooks`;
const tasksOf = (u: string) => `${SHARING}/community/users/${enc(u)}/tasks`;

/** What a task form sends to createTask / update. */
export interface TaskInput extends CronFields {
  title: string;
  itemId?: string;
  parameters: TaskParameters;
  startDate: number | null;
  endDate: number | null;
  maxOccurrences: number | null;
}

export interface SchedulePreview {
  timeZone: string;
  nextRuns: number[];
}

/** The typed REST client: one method per API operation the Manager uses, nothing private. */
export function restClient(http: Http) {
  return {
    http,
    me: () => http.get<Me>(`${SHARING}/community/self`),

    users: {
      list: () => http.get<Page & { users: User[] }>(`${SHARING}/portals/self/users`, { num: 10000 }).then((r) => r.users),
      create: (u: { username: string; password: string; fullname: string; email: string; role: Role }) =>
        http.post<{ username: string }>('/portaladmin/security/users/createUser', u),
      setRole: (user: string, role: Role) => http.post(`${SHARING}/portals/self/updateuserrole`, { user, role }),
      setDisabled: (user: string, disabled: boolean) => http.post(`${SHARING}/community/users/${enc(user)}/${disabled ? 'disable' : 'enable'}`),
    },

    groups: {
      get: (id: string) => http.get<Group>(`${SHARING}/community/groups/${enc(id)}`),
      /** The groups the caller may see (a portal search). */
      search: () => http.get<{ results: Group[] }>(`${SHARING}/community/groups`, { num: 100 }).then((r) => r.results),
      create: (title: string, access: string) => http.post<{ group: Group }>(`${SHARING}/community/createGroup`, { title, access }),
    },

    items: {
      listOf: (owner: string) => http.get<Page & { items: Item[] }>(`${SHARING}/content/users/${enc(owner)}`, { num: 10000 }).then((r) => r.items),
      get: (id: string) => http.get<Item>(`${SHARING}/content/items/${enc(id)}`),
      data: (id: string) => http.get<{ cells?: { cell_type: string; source: string | string[]; metadata?: { tags?: string[] } }[] }>(`${SHARING}/content/items/${enc(id)}/data`),
      upload: (owner: string, title: string, file: File) => {
        const form = new FormData();
        form.set('type', 'Notebook');
        form.set('title', title);
        form.set('file', file, file.name);
        return http.postMultipart<{ id: string }>(`${SHARING}/content/users/${enc(owner)}/addItem`, form);
      },
      delete: (owner: string, id: string) => http.post(`${SHARING}/content/users/${enc(owner)}/items/${enc(id)}/delete`),
    },

    execute: (itemId: string, notebookParameters: Record<string, unknown>, updatePortalItem = false) =>
      http.post<{ jobId: string }>(`${ADMIN}/notebooks/executeNotebook`, { itemId, notebookParameters, updatePortalItem }),

    jobs: {
      list: () => http.get<{ asyncJobs: Job[]; total: number }>(`${ADMIN}/system/jobs`, { detail: true, num: 500 }).then((r) => r.asyncJobs),
      get: (id: string) => http.get<Job>(`${ADMIN}/system/jobs/${enc(id)}`),
      cancel: (id: string) => http.post(`${ADMIN}/system/jobs/${enc(id)}/cancel`),
      deleteFinished: () => http.post<{ deleted: number }>(`${ADMIN}/system/jobs/deleteAll`),
      snapshot: (id: string) => http.text(`${ADMIN}/system/jobs/${enc(id)}/snapshot`),
      notebook: (id: string) => http.text(`${ADMIN}/system/jobs/${enc(id)}/notebook`),
      /** An output file by the URL the job lists; only its path is used, so it is fetched from this origin. */
      file: (url: string) => http.blob(new URL(url, location.origin).pathname),
    },

    tasks: {
      list: (owner: string) => http.get<Page & { tasks: Task[] }>(tasksOf(owner), { num: 10000 }).then((r) => r.tasks),
      /** Administrators: every owner's tasks in one list. */
      listAll: () => http.get<Page & { tasks: Task[] }>(`${ADMIN}/notebooks/tasks`, { num: 10000 }).then((r) => r.tasks),
      get: (owner: string, id: string) => http.get<Task>(`${tasksOf(owner)}/${enc(id)}`),
      create: (owner: string, t: TaskInput) => http.post<{ taskId: string }>(`${tasksOf(owner)}/createTask`, { type: 'ExecuteNotebook', ...(t as unknown as Record<string, FormValue>) }),
      // JSON, so that a cleared start or end date or max occurrences (null) clears it on the server.
      update: (owner: string, id: string, t: TaskInput) => http.postJson(`${tasksOf(owner)}/${enc(id)}/update`, { ...t }),
      pause: (owner: string, id: string) => http.post(`${tasksOf(owner)}/${enc(id)}/disable`),
      resume: (owner: string, id: string) => http.post(`${tasksOf(owner)}/${enc(id)}/enable`),
      runNow: (owner: string, id: string) => http.post<{ runId: string }>(`${tasksOf(owner)}/${enc(id)}/run`),
      delete: (owner: string, id: string) => http.post(`${tasksOf(owner)}/${enc(id)}/delete`),
      runs: (owner: string, id: string) => http.get<Page & { runs: TaskRun[] }>(`${tasksOf(owner)}/${enc(id)}/runs`, { num: 100 }).then((r) => r.runs),
      preview: (owner: string, s: CronFields & { startDate?: number | null; endDate?: number | null; maxOccurrences?: number | null }) =>
        http.post<SchedulePreview>(`${tasksOf(owner)}/previewSchedule`, { ...s, count: 5 }),
    },

    site: {
      machines: () => http.get<{ machines: Machine[] }>(`${ADMIN}/machines`).then((r) => r.machines),
      properties: () => http.get<SystemProperties>(`${ADMIN}/system/properties`),
      limits: () => http.get<{ limits: Record<string, PropertyLimit> }>(`${ADMIN}/system/properties/limits`).then((r) => r.limits),
      updateProperties: (properties: SystemProperties) => http.post<SystemProperties>(`${ADMIN}/system/properties/update`, { properties }),
    },

    webhooks: {
      list: () => http.get<Page & { webhooks: Webhook[] }>(HOOKS, { num: 100 }).then((r) => r.webhooks),
      get: (id: string) => http.get<Webhook>(`${HOOKS}/${enc(id)}`),
      create: (w: WebhookInput) => http.post<{ webhook: Webhook }>(`${HOOKS}/createWebhook`, webhookForm(w)),
      update: (id: string, w: WebhookInput) => http.post<{ webhook: Webhook }>(`${HOOKS}/${enc(id)}/update`, webhookForm(w)),
      setActive: (id: string, active: boolean) => http.post<Activation>(`${HOOKS}/${enc(id)}/${active ? 'activate' : 'deactivate'}`),
      recover: (id: string, since: number) => http.post<{ recovered: number }>(`${HOOKS}/${enc(id)}/recover`, { since }),
      delete: (id: string) => http.post(`${HOOKS}/${enc(id)}/delete`),
      status: (id: string) => http.get<Page & { WebhookStatus: Delivery[] }>(`${HOOKS}/${enc(id)}/notificationStatus`, { num: 100 }).then((r) => r.WebhookStatus),
      redeliver: (id: string, recordId: string) => http.post(`${HOOKS}/${enc(id)}/notificationStatus/${enc(recordId)}/redeliver`),
      triggerEvents: () => http.get<{ triggerGroups: TriggerGroup[] }>(`${HOOKS}/triggerEvents`).then((r) => r.triggerGroups),
      settings: () => http.get<WebhookSettings>(`${HOOKS}/settings`),
      updateSettings: (s: WebhookSettings) => http.post<WebhookSettings>(`${HOOKS}/settings/update`, s as unknown as Record<string, FormValue>),
    },

    receivers: {
      list: () => http.get<{ webhookReceivers: Receiver[] }>(`${ADMIN}/notebooks/webhookReceivers`).then((r) => r.webhookReceivers),
      create: (r: { name: string; itemId: string; signatureHeaders?: string; parameters?: Record<string, unknown> }) =>
        http.post<{ webhookReceiver: Receiver }>(`${ADMIN}/notebooks/webhookReceivers/create`, r),
      setDisabled: (id: string, disabled: boolean) => http.post(`${ADMIN}/notebooks/webhookReceivers/${enc(id)}/update`, { disabled }),
      delete: (id: string) => http.post(`${ADMIN}/notebooks/webhookReceivers/${enc(id)}/delete`),
    },
  };
}

export interface WebhookInput {
  name: string;
  url?: string;
  secret?: string;
  allChanges: boolean;
  events: string[];
  config: WebhookConfig;
}

function webhookForm(w: WebhookInput): Record<string, FormValue> {
  return {
    name: w.name,
    url: w.url || undefined,
    secret: w.secret || undefined,
    changes: w.allChanges ? 'allChanges' : 'manualChanges',
    events: w.allChanges ? undefined : w.events.join(','),
    config: w.config,
  };
}

export type Rest = ReturnType<typeof restClient>;
