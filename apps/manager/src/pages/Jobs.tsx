import { useState } from 'react';
import type { Job } from '../api/types';
import { Alert, ConfirmButton, errorText, FilterSelect, useAction } from '../components/controls';
import { formatDuration, formatTime } from '../lib/format';
import { TRIGGER_LABELS, triggerLabel } from '../lib/site-data';
import { useData } from '../lib/use-data';
import { navigate } from '../router';
import { useSignedIn } from '../session';

const STATUSES = ['SUBMITTED', 'PROCESSING', 'COMPLETED', 'FAILED'];
export const isFinished = (j: Job) => j.status === 'COMPLETED' || j.status === 'FAILED';

export function jobDuration(j: Job, now = Date.now()): number | null {
  if (j.status === 'SUBMITTED') return null;
  return (j.endTime ?? now) - j.startTime;
}

/** Every run (administrators: everyone's; authors: their own), updating by itself. */
export function Jobs() {
  const { api, isAdmin } = useSignedIn();
  const jobs = useData(() => api.jobs.list(), [], 3000);
  const [status, setStatus] = useState('');
  const [trigger, setTrigger] = useState('');
  const [user, setUser] = useState('');
  const action = useAction();
  const [message, setMessage] = useState<string | null>(null);

  const all = jobs.data ?? [];
  const users = [...new Set(all.map((j) => j.username))].sort();
  const shown = all.filter((j) => (!status || j.status === status) && (!trigger || j.trigger === trigger) && (!user || j.username === user));

  const act = async (fn: () => Promise<unknown>, done?: (r: unknown) => string) => {
    setMessage(null);
    const r = await action.run(fn);
    if (r !== undefined && done) setMessage(done(r));
    await jobs.reload();
  };

  return (
    <section aria-labelledby="jobs-title">
      <div className="page-head">
        <h1 id="jobs-title">Jobs</h1>
        <ConfirmButton
          label="Delete finished jobs"
          title="Delete finished jobs"
          question={<p>Delete every finished job{isAdmin ? ' of every user' : ''}, with its snapshot and notebook? Running and queued jobs stay.</p>}
          onConfirm={() => act(() => api.jobs.deleteFinished(), (r) => `Deleted ${(r as { deleted: number }).deleted} finished job(s).`)}
        />
      </div>
      <div className="filters" role="group" aria-label="Filters">
        <FilterSelect label="Status" value={status} onChange={setStatus} options={STATUSES} />
        <FilterSelect label="Trigger" value={trigger} onChange={setTrigger} options={Object.entries(TRIGGER_LABELS).map(([value, label]) => ({ value, label }))} />
        {isAdmin && (
          <FilterSelect label="User" value={user} onChange={setUser} options={users} />
        )}
      </div>
      <Alert>{action.error ?? errorText(jobs.error)}</Alert>
      <Alert kind="success">{message}</Alert>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Notebook runs</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Trigger</th>
              <th scope="col">Status</th>
              <th scope="col">User</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((j) => (
              <tr key={j.jobId}>
                <th scope="row">
                  <code>{j.jobId.slice(0, 8)}</code>
                </th>
                <td>{triggerLabel(j.trigger)}</td>
                <td>
                  <span className={`badge badge-job-${j.status.toLowerCase()}`}>{j.status}</span>
                  {j.customAttributes?.isCancelled && ' (cancelled)'}
                </td>
                <td>{j.username}</td>
                <td>{j.status === 'SUBMITTED' ? `queued ${formatTime(j.submittedTime)}` : formatTime(j.startTime)}</td>
                <td>{formatDuration(jobDuration(j))}</td>
                <td>
                  <div className="row-actions" role="group" aria-label={`Actions for job ${j.jobId.slice(0, 8)}`}>
                    <button type="button" onClick={() => navigate(`/jobs/${j.jobId}`)}>
                      View details
                    </button>
                    {!isFinished(j) && (
                      <button type="button" onClick={() => act(() => api.jobs.cancel(j.jobId), () => `Cancelled job ${j.jobId.slice(0, 8)}.`)}>
                        Cancel
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
            {!jobs.loading && shown.length === 0 && (
              <tr>
                <td colSpan={7}>{all.length ? 'No job matches the filters.' : 'No jobs yet.'}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
