import { useState } from 'react';
import type { Job, TaskRun } from '../api/types';
import { Alert, errorText, SnapshotFrame, useAction } from '../components/controls';
import { TaskActions } from '../components/task-actions';
import { downloadNotebook, OutputFiles } from '../components/job-artifacts';
import { formatDuration, formatTime, pretty } from '../lib/format';
import { cronLine, describeSchedule } from '../lib/schedule';
import { taskStatus } from '../lib/site-data';
import { useData } from '../lib/use-data';
import { Link, navigate } from '../router';
import { useSignedIn } from '../session';

const RUN_STATUS: Record<TaskRun['status'], string> = {
  scheduled: 'Queued',
  executing: 'Running',
  succeeded: 'Succeeded',
  skipped: 'Skipped',
  failed: 'Failed',
  submitfailed: 'Could not start',
};

/** A task's properties and its runs (updating by themselves), each run's snapshot in a sandboxed frame. */
export function TaskDetails({ owner, id }: { owner: string; id: string }) {
  const { api } = useSignedIn();
  const task = useData(() => api.tasks.get(owner, id), [owner, id], 3000);
  const runs = useData(
    async () => {
      const [list, jobs] = await Promise.all([api.tasks.runs(owner, id), api.jobs.list()]);
      return { list, jobs: new Map<string, Job>(jobs.map((j) => [j.jobId, j])) };
    },
    [owner, id],
    3000,
  );
  const notebook = useData(() => (task.data ? api.items.get(task.data.itemId) : Promise.resolve(null)), [task.data?.itemId]);
  const [snapshot, setSnapshot] = useState<{ runId: string; html: string } | null>(null);
  const action = useAction();

  const t = task.data;
  if (!t) return <Alert>{errorText(task.error)}</Alert>;
  const status = taskStatus(t);
  const tz = t.cronSchedule.timeZone;
  const act = async (_done: string, fn: () => Promise<unknown>) => {
    const r = await action.run(fn);
    await Promise.all([task.reload(), runs.reload()]);
    return r;
  };
  const open = (run: TaskRun) =>
    action.run(async () => {
      setSnapshot(snapshot?.runId === run.runId ? null : { runId: run.runId, html: await api.jobs.snapshot(run.jobId!) });
    });
  const notebookFile = (jobId: string) => action.run(() => downloadNotebook(api, jobId, `${t.title}-${jobId}`));

  return (
    <section aria-labelledby="task-title">
      <p>
        <Link to="/tasks">← Tasks</Link>
      </p>
      <div className="page-head">
        <h1 id="task-title">{t.title}</h1>
        <TaskActions api={api} task={t} act={act} afterDelete={() => navigate('/tasks')} />
      </div>
      <Alert>{action.error}</Alert>
      <dl className="properties">
        <dt>Status</dt>
        <dd>
          <span className={`badge badge-${status.toLowerCase()}`}>{status}</span> {t.disabledReason}
        </dd>
        <dt>Owner</dt>
        <dd>{t.userId}</dd>
        <dt>Notebook</dt>
        <dd>
          <Link to={`/notebooks/${t.itemId}`}>{notebook.data?.title ?? t.itemId}</Link>
        </dd>
        <dt>Schedule</dt>
        <dd>
          {describeSchedule(t.cronSchedule, { once: t.maxOccurrences === 1 })} <code>{cronLine(t.cronSchedule)}</code>
        </dd>
        <dt>Next run</dt>
        <dd>{formatTime(t.nextStart, tz)}</dd>
        <dt>Last run</dt>
        <dd>{formatTime(t.lastStart, tz)}</dd>
        <dt>Occurrences</dt>
        <dd>
          {t.occurrences}
          {t.maxOccurrences !== null ? ` of ${t.maxOccurrences}` : ''}
        </dd>
        <dt>Start date</dt>
        <dd>{formatTime(t.startDate, tz)}</dd>
        <dt>End date</dt>
        <dd>{formatTime(t.endDate, tz)}</dd>
        <dt>Parameters</dt>
        <dd>
          <pre className="code">{pretty(t.parameters.notebookParameters ?? {})}</pre>
        </dd>
        <dt>Timeout</dt>
        <dd>{t.parameters.executionTimeoutInMinutes ? `${t.parameters.executionTimeoutInMinutes} min` : 'The site maximum'}</dd>
        <dt>After a run</dt>
        <dd>
          {t.parameters.updatePortalItem ? 'Updates the notebook item' : 'Leaves the notebook item as it is'}
          {t.parameters.saveInjectedParameters ? ', with the injected parameters' : ''}
        </dd>
      </dl>

      <h2 id="runs-title">Runs</h2>
      <Alert>{errorText(runs.error)}</Alert>
      <div className="table-wrap">
        <table aria-labelledby="runs-title">
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {(runs.data?.list ?? []).map((r) => {
              const job = r.jobId ? runs.data!.jobs.get(r.jobId) : undefined;
              const started = job ? (job.status === 'SUBMITTED' ? null : job.startTime) : null;
              const ended = job?.endTime ?? (job?.status === 'PROCESSING' ? Date.now() : null);
              return (
                <tr key={r.runId}>
                  <td>
                    <span className={`badge badge-run-${r.status}`}>{RUN_STATUS[r.status] ?? r.status}</span>
                  </td>
                  <td>{formatTime(started ?? r.scheduledTime, tz)}</td>
                  <td>{started && ended ? formatDuration(ended - started) : '—'}</td>
                  <td>
                    <div>{r.result}</div>
                    {r.snapshotUrl && r.jobId && (
                      <div className="row-actions">
                        <button type="button" aria-expanded={snapshot?.runId === r.runId} onClick={() => open(r)}>
                          {snapshot?.runId === r.runId ? 'Close snapshot' : 'Open snapshot'}
                        </button>
                        <button type="button" onClick={() => notebookFile(r.jobId!)}>
                          Download notebook
                        </button>
                        <Link to={`/jobs/${r.jobId}`}>Job</Link>
                      </div>
                    )}
                    <OutputFiles api={api} files={r.outputFiles} label={`the run of ${formatTime(started ?? r.scheduledTime, tz)}`} />
                  </td>
                </tr>
              );
            })}
            {runs.data && runs.data.list.length === 0 && (
              <tr>
                <td colSpan={4}>No runs yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {snapshot && <SnapshotFrame html={snapshot.html} title={`Snapshot of the run of ${t.title}`} />}
    </section>
  );
}
