import { FormEvent, useEffect, useState } from 'react';
import { ApiError } from '../api/http';
import type { Receiver, Webhook, WebhookSettings } from '../api/types';
import { Alert, ConfirmButton, CopyButton, errorText, Field, JsonEditor, jsonObjectProblem, useAction } from '../components/controls';
import { visibleItems } from '../lib/site-data';
import { describeTrigger } from '../lib/triggers';
import { formatTime } from '../lib/format';
import { useData } from '../lib/use-data';
import { Link, navigate } from '../router';
import { useSignedIn } from '../session';

/** Administrators: organization and notebook webhooks, the delivery settings, and inbound receivers. */
export function Webhooks() {
  const { api, session } = useSignedIn();
  const hooks = useData(() => api.webhooks.list(), [], 5000);
  const items = useData(() => visibleItems(api, session.username, true), [session.username]);
  const action = useAction();
  const names = new Map((items.data ?? []).map((i) => [i.id, i.title]));
  // After an activation that found failed records: the offer to send them again (recover).
  const [offer, setOffer] = useState<{ webhook: Webhook; count: number; since: number } | null>(null);
  const [recovered, setRecovered] = useState<string | null>(null);
  const catalogue = useData(() => api.webhooks.triggerEvents(), []);

  const act = async (fn: () => Promise<unknown>) => {
    await action.run(fn);
    await hooks.reload();
  };
  const setActive = async (w: Webhook) => {
    setOffer(null);
    setRecovered(null);
    const answer = await action.run(() => api.webhooks.setActive(w.id, !w.isActive));
    await hooks.reload();
    if (answer?.failedRecords && answer.failedSince != null) setOffer({ webhook: w, count: answer.failedRecords, since: answer.failedSince });
  };
  const recover = async () => {
    if (!offer) return;
    const answer = await action.run(() => api.webhooks.recover(offer.webhook.id, offer.since));
    setOffer(null);
    if (answer) setRecovered(`${answer.recovered} record(s) of “${offer.webhook.name}” are being sent again.`);
  };

  return (
    <section aria-labelledby="webhooks-title">
      <div className="page-head">
        <h1 id="webhooks-title">Webhooks</h1>
        <button type="button" className="primary" onClick={() => navigate('/webhooks/new')}>
          New webhook
        </button>
      </div>
      <Alert>{action.error ?? errorText(hooks.error)}</Alert>
      <Alert kind="success">{recovered}</Alert>
      {offer && (
        <div className="card" role="region" aria-label="Recover failed records">
          <p>
            “{offer.webhook.name}” is active again. It has {offer.count} failed record(s) since {formatTime(offer.since)}, events that were not delivered.
          </p>
          <div className="actions">
            <button type="button" onClick={() => setOffer(null)}>
              Not now
            </button>
            <button type="button" className="primary" onClick={recover} disabled={action.busy}>
              Send them again
            </button>
          </div>
        </div>
      )}
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Organization and notebook webhooks</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Delivers to</th>
              <th scope="col">Trigger events</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(hooks.data ?? []).map((w) => {
              const nb = w.config.properties?.federatedServer?.itemId;
              return (
                <tr key={w.id}>
                  <th scope="row">{w.name}</th>
                  <td>{nb ? `Runs notebook ${names.get(nb) ?? nb}` : <code className="secret">{w.payloadUrl}</code>}</td>
                  <td>
                    <ul className="plain">
                      {w.events.map((e) => {
                        const inactive = w.inactiveEvents?.find((x) => x.event === e);
                        return (
                          <li key={e}>
                            {describeTrigger(e, catalogue.data ?? [], names)}
                            {inactive && (
                              <div className="reason">
                                <span className="badge badge-paused">Never fires here</span> {inactive.reason}
                              </div>
                            )}
                          </li>
                        );
                      })}
                    </ul>
                  </td>
                  <td>
                    <span className={`badge ${w.isActive ? 'badge-active' : 'badge-paused'}`}>{w.isActive ? 'Active' : 'Inactive'}</span>
                    {w.deactivationReason && <div className="reason">{w.deactivationReason}</div>}
                  </td>
                  <td>
                    <div className="row-actions" role="group" aria-label={`Actions for ${w.name}`}>
                      <Link to={`/webhooks/${w.id}/status`}>Notification status</Link>
                      <button type="button" onClick={() => navigate(`/webhooks/${w.id}/edit`)}>
                        Edit
                      </button>
                      <button type="button" onClick={() => setActive(w)}>
                        {w.isActive ? 'Deactivate' : 'Activate'}
                      </button>
                      <ConfirmButton label="Delete" title="Delete webhook" question={<p>Delete the webhook “{w.name}” and its notification records?</p>} onConfirm={() => act(() => api.webhooks.delete(w.id))} />
                    </div>
                  </td>
                </tr>
              );
            })}
            {hooks.data?.length === 0 && (
              <tr>
                <td colSpan={5}>No webhooks yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <DeliverySettings />
      <Receivers notebooks={(items.data ?? []).filter((i) => i.type === 'Notebook')} />
    </section>
  );
}

const SETTINGS: { key: keyof WebhookSettings; label: string; min: number; max: number; hint: string }[] = [
  { key: 'notificationAttempts', label: 'Number of delivery attempts', min: 0, max: 5, hint: '0-5 (default 3)' },
  { key: 'notificationTimeOutInSeconds', label: 'Notification timeout (seconds)', min: 0, max: 60, hint: '0-60 (default 10)' },
  { key: 'notificationElapsedTimeInSeconds', label: 'Elapsed time between delivery attempts (seconds)', min: 1, max: 100, hint: '1-100 (default 30)' },
];

function DeliverySettings() {
  const { api } = useSignedIn();
  const settings = useData(() => api.webhooks.settings(), []);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useAction();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (settings.data) setValues(Object.fromEntries(SETTINGS.map((s) => [s.key, String(settings.data![s.key])])));
  }, [settings.data]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const bad: Record<string, string> = {};
    for (const s of SETTINGS) {
      const n = Number(values[s.key]);
      if (!Number.isInteger(n) || n < s.min || n > s.max) bad[s.key] = `Must be a whole number from ${s.min} to ${s.max}.`;
    }
    setErrors(bad);
    if (Object.keys(bad).length) return;
    const r = await save.run(() => api.webhooks.updateSettings(Object.fromEntries(SETTINGS.map((s) => [s.key, Number(values[s.key])])) as unknown as WebhookSettings));
    if (r) setSaved(true);
  };

  return (
    <form onSubmit={submit} className="card" aria-labelledby="settings-title" noValidate>
      <h2 id="settings-title">Delivery settings</h2>
      <div className="row">
        {SETTINGS.map((s) => (
          <Field key={s.key} label={s.label} hint={s.hint} error={errors[s.key]}>
            {(p) => <input {...p} type="number" min={s.min} max={s.max} value={values[s.key] ?? ''} onChange={(e) => setValues((v) => ({ ...v, [s.key]: e.target.value }))} />}
          </Field>
        ))}
      </div>
      <Alert>{save.error ?? errorText(settings.error)}</Alert>
      <Alert kind="success">{saved ? 'Delivery settings saved.' : null}</Alert>
      <button type="submit" className="primary" disabled={save.busy}>
        Save
      </button>
    </form>
  );
}

function Receivers({ notebooks }: { notebooks: { id: string; title: string; owner: string }[] }) {
  const { api } = useSignedIn();
  const list = useData(() => api.receivers.list(), []);
  const [name, setName] = useState('');
  const [itemId, setItemId] = useState('');
  const [headers, setHeaders] = useState('x-esrihook-signature');
  const [params, setParams] = useState('{}');
  const [created, setCreated] = useState<Receiver | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();
  const titles = new Map(notebooks.map((n) => [n.id, n.title]));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    const bad: Record<string, string> = {};
    if (!name.trim()) bad.name = 'Enter a name.';
    if (!itemId) bad.itemId = 'Choose the notebook to run.';
    if (jsonObjectProblem(params)) bad.parameters = jsonObjectProblem(params)!;
    setErrors(bad);
    if (Object.keys(bad).length) return;
    try {
      const r = await api.receivers.create({ name, itemId, signatureHeaders: headers, parameters: params.trim() ? JSON.parse(params) : {} });
      setCreated(r.webhookReceiver);
      setName('');
      await list.reload();
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      action.setError(errorText(err));
    }
  };

  const act = async (fn: () => Promise<unknown>) => {
    await action.run(fn);
    await list.reload();
  };

  return (
    <section aria-labelledby="receivers-title" className="card">
      <h2 id="receivers-title">Inbound receivers</h2>
      <p>A signed POST to a receiver's URL runs its notebook with the body injected as <code>webhook_payload</code>.</p>
      <div className="table-wrap">
        <table aria-labelledby="receivers-title">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Notebook</th>
              <th scope="col">URL</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((r) => (
              <tr key={r.id}>
                <th scope="row">{r.name}</th>
                <td>{titles.get(r.itemId) ?? r.itemId}</td>
                <td>
                  <code className="secret">{r.url}</code> <CopyButton text={r.url} label="Copy URL" />
                </td>
                <td>{r.disabled ? 'Disabled' : 'Enabled'}</td>
                <td>
                  <div className="row-actions" role="group" aria-label={`Actions for ${r.name}`}>
                    <button type="button" onClick={() => act(() => api.receivers.setDisabled(r.id, !r.disabled))}>
                      {r.disabled ? 'Enable' : 'Disable'}
                    </button>
                    <ConfirmButton label="Delete" title="Delete receiver" question={<p>Delete the receiver “{r.name}”? Its URL stops working.</p>} onConfirm={() => act(() => api.receivers.delete(r.id))} />
                  </div>
                </td>
              </tr>
            ))}
            {list.data?.length === 0 && (
              <tr>
                <td colSpan={5}>No receivers yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {created && (
        <div role="status" className="alert alert-success">
          <p>
            Receiver “{created.name}” created. Copy its secret now: <strong>it is shown only once</strong>.
          </p>
          <p>
            URL: <code className="secret">{created.url}</code> <CopyButton text={created.url} label="Copy URL" />
          </p>
          <p>
            Secret: <code className="secret">{created.secret}</code> <CopyButton text={created.secret} label="Copy secret" />
          </p>
        </div>
      )}
      <form onSubmit={submit} aria-label="New receiver" noValidate>
        <h3>New receiver</h3>
        <div className="row">
          <Field label="Receiver name" error={errors.name}>
            {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label="Notebook to run on a POST" error={errors.itemId}>
            {(p) => (
              <select {...p} value={itemId} onChange={(e) => setItemId(e.target.value)}>
                <option value="">Choose a notebook…</option>
                {notebooks.map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.title} ({n.owner})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Signature headers" error={errors.signatureHeaders} hint="Comma-separated header names">
            {(p) => <input {...p} value={headers} onChange={(e) => setHeaders(e.target.value)} />}
          </Field>
        </div>
        <JsonEditor label="Receiver parameters" value={params} onChange={setParams} error={errors.parameters} />
        <Alert>{action.error}</Alert>
        <button type="submit" className="primary">
          Create receiver
        </button>
      </form>
    </section>
  );
}
