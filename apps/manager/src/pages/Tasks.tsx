import { useState } from 'react';
import type { Item, Task } from '../api/types';
import { Alert, errorText, FilterSelect, useAction } from '../components/controls';
import { TaskActions } from '../components/task-actions';
import { formatTime } from '../lib/format';
import { cronLine, describeSchedule } from '../lib/schedule';
import { TASK_STATUSES, taskStatus, visibleNotebooks, visibleTasks } from '../lib/site-data';
import { useData } from '../lib/use-data';
import { Link, navigate } from '../router';
import { useSignedIn } from '../session';

/** The seeds' Tasks page: administrators see every task of the site, authors their own. */
export function Tasks() {
  const { api, session, isAdmin } = useSignedIn();
  const tasks = useData(() => visibleTasks(api, session.username, isAdmin), [session.username], 3000);
  const notebooks = useData(() => visibleNotebooks(api, session.username, isAdmin), [session.username]);
  const [status, setStatus] = useState('');
  const [owner, setOwner] = useState('');
  const action = useAction();
  const [message, setMessage] = useState<string | null>(null);

  const titles = new Map((notebooks.data ?? []).map((i: Item) => [i.id, i.title]));
  const owners = [...new Set((tasks.data ?? []).map((t) => t.userId))].sort();
  const shown = (tasks.data ?? []).filter((t) => (!status || taskStatus(t) === status) && (!owner || t.userId === owner));

  const act = async (label: string, fn: () => Promise<unknown>) => {
    setMessage(null);
    const done = await action.run(fn);
    if (done !== undefined) setMessage(label);
    await tasks.reload();
    return done;
  };

  return (
    <section aria-labelledby="tasks-title">
      <div className="page-head">
        <h1 id="tasks-title">Tasks</h1>
        <button type="button" className="primary" onClick={() => navigate('/tasks/new')}>
          New task
        </button>
      </div>
      <div className="filters" role="group" aria-label="Filters">
        <FilterSelect label="Status" value={status} onChange={setStatus} options={TASK_STATUSES} />
        {isAdmin && (
          <FilterSelect label="Owner" value={owner} onChange={setOwner} options={owners} />
        )}
      </div>
      <Alert>{action.error ?? errorText(tasks.error)}</Alert>
      <Alert kind="success">{message}</Alert>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Scheduled notebook tasks</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Owner</th>
              <th scope="col">Notebook</th>
              <th scope="col">Schedule</th>
              <th scope="col">Next run</th>
              <th scope="col">Last run</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => (
              <TaskRow key={t.id} task={t} notebook={titles.get(t.itemId) ?? t.itemId} act={act} />
            ))}
            {!tasks.loading && shown.length === 0 && (
              <tr>
                <td colSpan={8}>{tasks.data?.length ? 'No task matches the filters.' : 'No tasks yet. Use New task to schedule a notebook.'}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TaskRow({ task: t, notebook, act }: { task: Task; notebook: string; act: (label: string, fn: () => Promise<unknown>) => Promise<unknown> }) {
  const { api } = useSignedIn();
  const status = taskStatus(t);
  const tz = t.cronSchedule.timeZone;
  return (
    <tr>
      <th scope="row">
        <Link to={`/tasks/${encodeURIComponent(t.userId)}/${t.id}`}>{t.title}</Link>
      </th>
      <td>{t.userId}</td>
      <td>{notebook}</td>
      <td>
        {describeSchedule(t.cronSchedule, { once: t.maxOccurrences === 1 })}
        <br />
        <code>{cronLine(t.cronSchedule)}</code>
      </td>
      <td>{formatTime(t.nextStart, tz)}</td>
      <td>{formatTime(t.lastStart, tz)}</td>
      <td>
        <span className={`badge badge-${status.toLowerCase()}`}>{status}</span>
        {t.disabledReason && <div className="reason">{t.disabledReason}</div>}
      </td>
      <td>
        <TaskActions api={api} task={t} act={act} withDetails />
      </td>
    </tr>
  );
}
