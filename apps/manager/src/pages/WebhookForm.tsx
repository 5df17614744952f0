import { FormEvent, useEffect, useState } from 'react';
import { ApiError } from '../api/http';
import type { Webhook } from '../api/types';
import { Alert, errorText, Field } from '../components/controls';
import { visibleGroups, visibleItems } from '../lib/site-data';
import { describeTrigger, Kind, TriggerGroup, uriOf } from '../lib/triggers';
import { useData } from '../lib/use-data';
import { Link, navigate } from '../router';
import { useSignedIn } from '../session';

interface State {
  name: string;
  kind: 'url' | 'notebook';
  url: string;
  secret: string;
  itemId: string;
  tokenTypeToSend: 'owner' | 'user';
  tokenMinutes: string;
  allChanges: boolean;
  events: string[];
  failures: string;
  days: string;
}

const empty: State = { name: '', kind: 'url', url: '', secret: '', itemId: '', tokenTypeToSend: 'owner', tokenMinutes: '10', allChanges: false, events: [], failures: '5', days: '5' };

function stateOf(w: Webhook): State {
  const fs = w.config.properties?.federatedServer;
  return {
    name: w.name,
    kind: fs ? 'notebook' : 'url',
    url: fs ? '' : w.payloadUrl,
    secret: '',
    itemId: fs?.itemId ?? '',
    tokenTypeToSend: fs?.tokenTypeToSend ?? 'owner',
    tokenMinutes: String(fs?.tokenExpirationTimeMinutes ?? 10),
    allChanges: w.events.includes('/'),
    events: w.events.filter((e) => e !== '/'),
    failures: String(w.config.deactivationPolicy?.numberOfFailures ?? 5),
    days: String(w.config.deactivationPolicy?.daysInPast ?? 5),
  };
}

/** New webhook / Edit webhook: a payload URL or a notebook to run, and the trigger events from the seeds' catalogue. */
export function WebhookForm({ id }: { id?: string }) {
  const { api, session } = useSignedIn();
  const existing = useData(() => (id ? api.webhooks.get(id) : Promise.resolve(null)), [id]);
  const items = useData(() => visibleItems(api, session.username, true), [session.username]);
  // A notebook webhook runs a notebook its creator owns.
  const notebooks = { data: items.data?.filter((i) => i.type === 'Notebook' && i.owner === session.username) };
  const users = useData(() => api.users.list(), []);
  const groups = useData(() => visibleGroups(api), []);
  const catalogue = useData(() => api.webhooks.triggerEvents(), []);
  const [s, setS] = useState<State>(empty);
  const [loaded, setLoaded] = useState(!id);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (existing.data && !loaded) {
      setS(stateOf(existing.data));
      setLoaded(true);
    }
  }, [existing.data, loaded]);

  const set = <K extends keyof State>(k: K, v: State[K]) => setS((x) => ({ ...x, [k]: v }));
  const toggle = (uri: string, on: boolean) => setS((x) => ({ ...x, events: on ? [...new Set([...x.events, uri])] : x.events.filter((e) => e !== uri) }));

  const targets: Record<string, { value: string; label: string }[]> = {
    item: (items.data ?? []).map((i) => ({ value: i.id, label: `${i.title} (${i.owner})` })),
    group: (groups.data ?? []).map((g) => ({ value: g.id, label: g.title })),
    user: (users.data ?? []).map((u) => ({ value: u.username, label: u.username })),
  };
  const names = new Map(Object.values(targets).flat().map((t) => [t.value, t.label]));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setFormError(null);
    const local: Record<string, string> = {};
    if (!s.name.trim()) local.name = 'Enter a name.';
    if (s.kind === 'url' && !s.url.trim()) local.url = 'Enter the payload URL.';
    if (s.kind === 'notebook' && !s.itemId) local.itemId = 'Choose the notebook to run.';
    if (!s.allChanges && !s.events.length) local.events = 'Choose at least one trigger event, or All changes.';
    if (Object.keys(local).length) return setErrors(local);
    const config = {
      deactivationPolicy: { numberOfFailures: Number(s.failures), daysInPast: Number(s.days) },
      ...(s.kind === 'notebook'
        ? { properties: { federatedServer: { itemId: s.itemId, tokenTypeToSend: s.tokenTypeToSend, tokenExpirationTimeMinutes: Number(s.tokenMinutes) } } }
        : {}),
    };
    const input = { name: s.name, url: s.kind === 'url' ? s.url : undefined, secret: s.secret || undefined, allChanges: s.allChanges, events: s.events, config };
    setSaving(true);
    try {
      if (id) await api.webhooks.update(id, input);
      else await api.webhooks.create(input);
      navigate('/webhooks');
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fieldErrors());
      setFormError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  if (!loaded) return <Alert>{errorText(existing.error)}</Alert>;
  return (
    <section aria-labelledby="wh-form-title">
      <p>
        <Link to="/webhooks">← Webhooks</Link>
      </p>
      <h1 id="wh-form-title">{id ? 'Edit webhook' : 'New webhook'}</h1>
      <form onSubmit={submit} noValidate>
        <fieldset>
          <legend>Webhook</legend>
          <Field label="Name" error={errors.name}>
            {(p) => <input {...p} value={s.name} onChange={(e) => set('name', e.target.value)} />}
          </Field>
          <fieldset>
            <legend>When it triggers</legend>
            <label className="switch">
              <input type="radio" name="kind" checked={s.kind === 'url'} onChange={() => set('kind', 'url')} /> Send the payload to a URL
            </label>
            <label className="switch">
              <input type="radio" name="kind" checked={s.kind === 'notebook'} onChange={() => set('kind', 'notebook')} /> Run a notebook (notebook webhook)
            </label>
          </fieldset>
          {s.kind === 'url' ? (
            <>
              <Field label="Payload URL" error={errors.url}>
                {(p) => <input {...p} type="url" value={s.url} onChange={(e) => set('url', e.target.value)} placeholder="https://example.org/hooks/portal" />}
              </Field>
              <Field label="Secret" hint={id ? 'Empty: keep the current secret' : 'Optional: deliveries are signed with it'}>
                {(p) => <input {...p} type="password" autoComplete="new-password" value={s.secret} onChange={(e) => set('secret', e.target.value)} />}
              </Field>
            </>
          ) : (
            <div className="row">
              <Field label="Notebook to run" error={errors.itemId ?? errors['config.properties.federatedServer.itemId']} hint="One of your own notebooks">
                {(p) => (
                  <select {...p} value={s.itemId} onChange={(e) => set('itemId', e.target.value)}>
                    <option value="">Choose a notebook…</option>
                    {(notebooks.data ?? []).map((n) => (
                      <option key={n.id} value={n.id}>
                        {n.title}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Token type">
                {(p) => (
                  <select {...p} value={s.tokenTypeToSend} onChange={(e) => set('tokenTypeToSend', e.target.value as 'owner' | 'user')}>
                    <option value="owner">owner (the notebook's owner)</option>
                    <option value="user">user (who caused the event)</option>
                  </select>
                )}
              </Field>
              <Field label="Token minutes" hint="1-1440">
                {(p) => <input {...p} type="number" min={1} max={1440} value={s.tokenMinutes} onChange={(e) => set('tokenMinutes', e.target.value)} />}
              </Field>
            </div>
          )}
        </fieldset>

        <fieldset aria-describedby="events-error">
          <legend>Trigger events</legend>
          <label className="switch">
            <input type="checkbox" checked={s.allChanges} onChange={(e) => set('allChanges', e.target.checked)} /> All changes
          </label>
          {errors.events && (
            <p id="events-error" className="field-error">
              {errors.events}
            </p>
          )}
          {!s.allChanges && (
            <>
              <Alert>{errorText(catalogue.error)}</Alert>
              {(catalogue.data ?? []).map((g) => (
                <fieldset key={g.kind}>
                  <legend>{g.title}</legend>
                  <label className="switch">
                    <input type="checkbox" checked={s.events.includes(uriOf(g.kind))} onChange={(e) => toggle(uriOf(g.kind), e.target.checked)} /> {g.all}
                  </label>
                  <div className="event-grid">
                    {g.any.map((a) => (
                      <label key={a.op} className="switch">
                        <input type="checkbox" checked={s.events.includes(uriOf(g.kind, undefined, a.op))} onChange={(e) => toggle(uriOf(g.kind, undefined, a.op), e.target.checked)} />
                        <span>
                          {a.label}
                          {a.inactive && <small className="hint block-hint">Not raised by this server: {a.inactive}</small>}
                        </span>
                      </label>
                    ))}
                  </div>
                  {g.specific && <SpecificPicker kind={g.kind} spec={g.specific} options={targets[g.specific.target]} onAdd={(uri) => toggle(uri, true)} />}
                </fieldset>
              ))}
              {s.events.length > 0 && (
                <>
                  <h2 id="chosen-events">Chosen events</h2>
                  <ul aria-labelledby="chosen-events">
                    {s.events.map((e) => (
                      <li key={e}>
                        {describeTrigger(e, catalogue.data ?? [], names)} <code>{e}</code>{' '}
                        <button type="button" onClick={() => toggle(e, false)} aria-label={`Remove ${e}`}>
                          Remove
                        </button>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </>
          )}
        </fieldset>

        <fieldset>
          <legend>Deactivation policy</legend>
          <div className="row">
            <Field label="Failures" hint="Deactivate after this many failed deliveries…">
              {(p) => <input {...p} type="number" min={1} value={s.failures} onChange={(e) => set('failures', e.target.value)} />}
            </Field>
            <Field label="Days" hint="…within this many days">
              {(p) => <input {...p} type="number" min={1} max={365} value={s.days} onChange={(e) => set('days', e.target.value)} />}
            </Field>
          </div>
        </fieldset>
        <Alert>{formError}</Alert>
        <div className="actions">
          <button type="button" onClick={() => navigate('/webhooks')}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={saving}>
            Save
          </button>
        </div>
      </form>
    </section>
  );
}

function SpecificPicker({
  kind,
  spec,
  options,
  onAdd,
}: {
  kind: Kind;
  spec: NonNullable<TriggerGroup['specific']>;
  options: { value: string; label: string }[];
  onAdd: (uri: string) => void;
}) {
  const [target, setTarget] = useState('');
  const [op, setOp] = useState('');
  return (
    <div className="row specific" role="group" aria-label={spec.label}>
      <Field label={spec.label}>
        {(p) => (
          <select {...p} value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">Choose…</option>
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={`Event of the ${spec.target}`}>
        {(p) => (
          <select {...p} value={op} onChange={(e) => setOp(e.target.value)}>
            {[{ op: '', label: spec.all }, ...spec.ops].map((o) => (
              <option key={o.op} value={o.op}>
                {o.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="button" disabled={!target} onClick={() => onAdd(uriOf(kind, target, op || undefined))}>
        Add event
      </button>
    </div>
  );
}
