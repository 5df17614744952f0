import { Alert, errorText, useAction } from '../components/controls';
import { JobArtifacts, OutputFiles } from '../components/job-artifacts';
import { formatDuration, formatTime, pretty } from '../lib/format';
import { triggerLabel } from '../lib/site-data';
import { useData } from '../lib/use-data';
import { Link } from '../router';
import { useSignedIn } from '../session';
import { isFinished, jobDuration } from './Jobs';

/** One job: its inputs, messages, error, and (once finished) its snapshot and executed notebook. */
export function JobDetails({ id }: { id: string }) {
  const { api } = useSignedIn();
  const job = useData(() => api.jobs.get(id), [id], 2500);
  const action = useAction();
  const j = job.data;
  if (!j) return <Alert>{errorText(job.error)}</Alert>;
  return (
    <section aria-labelledby="job-title">
      <p>
        <Link to="/jobs">← Jobs</Link>
      </p>
      <div className="page-head">
        <h1 id="job-title">Job {j.jobId.slice(0, 8)}</h1>
        {!isFinished(j) && (
          <button type="button" onClick={() => action.run(() => api.jobs.cancel(j.jobId)).then(() => job.reload())}>
            Cancel
          </button>
        )}
      </div>
      <Alert>{action.error}</Alert>
      <dl className="properties">
        <dt>Status</dt>
        <dd>
          <span className={`badge badge-job-${j.status.toLowerCase()}`}>{j.status}</span>
          {j.customAttributes?.isCancelled && ' (cancelled)'}
        </dd>
        <dt>Trigger</dt>
        <dd>{triggerLabel(j.trigger)}</dd>
        <dt>User</dt>
        <dd>{j.username}</dd>
        <dt>Notebook</dt>
        <dd>
          <Link to={`/notebooks/${j.inputs.itemId}`}>{j.inputs.itemId}</Link>
        </dd>
        <dt>Submitted</dt>
        <dd>{formatTime(j.submittedTime)}</dd>
        <dt>Started</dt>
        <dd>{j.status === 'SUBMITTED' ? '—' : formatTime(j.startTime)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(jobDuration(j))}</dd>
        <dt>Node</dt>
        <dd>{j.nodeName ?? '—'}</dd>
        <dt>Parameters</dt>
        <dd>
          <pre className="code">{pretty(j.inputs.notebookParameters)}</pre>
        </dd>
        {j.results.error && (
          <>
            <dt>Error</dt>
            <dd>
              <code>
                {j.results.error.ename}: {j.results.error.evalue}
              </code>
            </dd>
          </>
        )}
      </dl>
      <h2>Messages</h2>
      {j.messages.length ? (
        <ol className="messages">
          {j.messages.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ol>
      ) : (
        <p>No messages.</p>
      )}
      <h2>Results</h2>
      {j.results.snapshotUrl ? <JobArtifacts api={api} jobId={j.jobId} hasArtifacts label={`job ${j.jobId.slice(0, 8)}`} /> : <p>{isFinished(j) ? 'This run left no snapshot.' : 'The snapshot appears when the run ends.'}</p>}
      <OutputFiles api={api} files={j.results.outputFiles} label={`job ${j.jobId.slice(0, 8)}`} />
    </section>
  );
}
