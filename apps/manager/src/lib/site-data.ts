import type { Rest } from '../api/rest';
import type { Group, Item, Task } from '../api/types';

/**
 * The REST API lists notebooks and tasks per user; administrators see the whole site, so their views
 * ask once per user (the users list first).
 */
async function perUser<T>(api: Rest, username: string, isAdmin: boolean, fn: (u: string) => Promise<T[]>): Promise<T[]> {
  if (!isAdmin) return fn(username);
  const users = await api.users.list();
  const lists = await Promise.all(users.map((u) => fn(u.username)));
  return lists.flat();
}

export const visibleItems = (api: Rest, username: string, isAdmin: boolean): Promise<Item[]> => perUser(api, username, isAdmin, (u) => api.items.listOf(u));

export const visibleNotebooks = (api: Rest, username: string, isAdmin: boolean): Promise<Item[]> =>
  visibleItems(api, username, isAdmin).then((items) => items.filter((i) => i.type === 'Notebook'));

/** The groups the signed-in user may see (the group search), with their members. */
export async function visibleGroups(api: Rest): Promise<Group[]> {
  const ids = (await api.groups.search()).map((g) => g.id);
  return Promise.all(ids.map((id) => api.groups.get(id)));
}

/** Administrators: every owner's tasks in one list (`GET /arcgis/admin/notebooks/tasks`); others their own. */
export const visibleTasks = (api: Rest, username: string, isAdmin: boolean): Promise<Task[]> => (isAdmin ? api.tasks.listAll() : api.tasks.list(username));

export type TaskStatus = 'Active' | 'Paused' | 'Disabled' | 'Completed';

export const TASK_STATUSES: TaskStatus[] = ['Active', 'Paused', 'Disabled', 'Completed'];

/** The Tasks page's words for a task's state (`inactive` is a pause, by its owner or by a reassignment). */
export function taskStatus(t: Task): TaskStatus {
  switch (t.taskState) {
    case 'active':
      return 'Active';
    case 'inactive':
      return 'Paused';
    case 'disabled':
      return 'Disabled';
    case 'completed':
      return 'Completed';
  }
}

/**
 * What started a job, in the Jobs page's words. Inbound receivers' runs are `webhook` runs on the server;
 * `manual` is a task's Run now.
 */
export const TRIGGER_LABELS: Record<string, string> = { task: 'schedule', manual: 'run now', executeNotebook: 'executeNotebook', webhook: 'webhook or receiver' };
export const triggerLabel = (t: string) => TRIGGER_LABELS[t] ?? t;
