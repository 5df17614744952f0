import { Alert, errorText, useAction } from '../components/controls';
import { formatTime, pretty } from '../lib/format';
import { useData } from '../lib/use-data';
import { Link } from '../router';
import { useSignedIn } from '../session';

/**
 * The seeds' Notification Status page: per delivery, when the webhook was triggered, whether the payload URL
 * accepted it, the attempts, the response and the payload; failed records can be sent again.
 */
export function NotificationStatus({ id }: { id: string }) {
  const { api } = useSignedIn();
  const hook = useData(() => api.webhooks.get(id), [id]);
  const records = useData(() => api.webhooks.status(id), [id], 3000);
  const action = useAction();

  const redeliver = async (recordId: string) => {
    await action.run(() => api.webhooks.redeliver(id, recordId));
    await records.reload();
  };

  return (
    <section aria-labelledby="ns-title">
      <p>
        <Link to="/webhooks">← Webhooks</Link>
      </p>
      <h1 id="ns-title">Notification status{hook.data ? `: ${hook.data.name}` : ''}</h1>
      {hook.data && !hook.data.isActive && <Alert kind="info">This webhook is inactive: activate it to redeliver. {hook.data.deactivationReason}</Alert>}
      <Alert>{action.error ?? errorText(records.error ?? hook.error)}</Alert>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Deliveries of this webhook, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Accepted</th>
              <th scope="col">Attempts</th>
              <th scope="col">HTTP status</th>
              <th scope="col">Response</th>
              <th scope="col">Payload</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(records.data ?? []).map((d) => (
              <tr key={d.id}>
                <td>{formatTime(d.invokedTimestamp ?? d.created)}</td>
                <td>
                  <span className={`badge ${d.isInvoked ? 'badge-yes' : d.status === 'failed' ? 'badge-no' : ''}`}>
                    {d.isInvoked ? 'Yes' : d.status === 'failed' ? 'No' : 'Pending'}
                  </span>
                  <div className="reason">{d.status}</div>
                </td>
                <td>{d.attempts}</td>
                <td>{d.httpStatus ?? '—'}</td>
                <td>
                  <code className="secret">{d.responseText || '—'}</code>
                  {d.jobId && (
                    <div>
                      <Link to={`/jobs/${d.jobId}`}>Job</Link>
                    </div>
                  )}
                </td>
                <td>
                  <details>
                    <summary>Payload</summary>
                    <pre className="code">{pretty(d.payload)}</pre>
                  </details>
                </td>
                <td>
                  {d.status === 'failed' && (
                    <button type="button" onClick={() => redeliver(d.id)}>
                      Redeliver
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {records.data?.length === 0 && (
              <tr>
                <td colSpan={7}>No deliveries yet: they appear when a trigger event happens.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
