import { FormEvent, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/http';
import type { TaskInput } from '../api/rest';
import type { CronFields, Task } from '../api/types';
import { Alert, errorText, Field, JsonEditor, jsonObjectProblem } from '../components/controls';
import { formatTime, fromLocalInput, toLocalInput } from '../lib/format';
import { cronOfPreset, defaultPresetValues, describeSchedule, Preset, presetOf, PRESETS, PresetValues, WEEKDAYS } from '../lib/schedule';
import { visibleNotebooks } from '../lib/site-data';
import { useData } from '../lib/use-data';
import { navigate } from '../router';
import { useSignedIn } from '../session';

const CRON_FIELDS: { key: keyof Omit<CronFields, 'timeZone'>; label: string; hint: string }[] = [
  { key: 'second', label: 'Second', hint: '0-59, * or */5' },
  { key: 'minute', label: 'Minute', hint: '0-59' },
  { key: 'hour', label: 'Hour', hint: '0-23' },
  { key: 'dayOfMonth', label: 'Day of month', hint: '1-31, L, W or ?' },
  { key: 'month', label: 'Month', hint: '1-12 or JAN-DEC' },
  { key: 'dayOfWeek', label: 'Day of week', hint: '0-6 (Sunday = 0), MON-SUN, # or ?' },
];

interface FormState {
  title: string;
  itemId: string;
  preset: Preset;
  presetValues: PresetValues;
  cron: Omit<CronFields, 'timeZone'>;
  timeZone: string;
  startDate: string;
  endDate: string;
  maxOccurrences: string;
  parameters: string;
  timeout: string;
  updatePortalItem: boolean;
  saveInjectedParameters: boolean;
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const zones = (): string[] => (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? ['UTC'];

function emptyForm(): FormState {
  const presetValues = defaultPresetValues();
  return {
    title: '',
    itemId: '',
    preset: 'daily',
    presetValues,
    cron: cronOfPreset('daily', presetValues),
    timeZone: browserZone(),
    startDate: '',
    endDate: '',
    maxOccurrences: '',
    parameters: '{}',
    timeout: '',
    updatePortalItem: true,
    saveInjectedParameters: false,
  };
}

function formOf(t: Task): FormState {
  const { timeZone, ...cron } = t.cronSchedule;
  const { preset, values } = presetOf(t.cronSchedule, t.maxOccurrences);
  const np = t.parameters.notebookParameters;
  const params = typeof np === 'string' ? (jsonObjectProblem(np) ? np : JSON.stringify(JSON.parse(np || '{}'), null, 2)) : JSON.stringify(np ?? {}, null, 2);
  return {
    title: t.title,
    itemId: t.itemId,
    preset,
    presetValues: values,
    cron: { second: '0', ...cron },
    timeZone: timeZone ?? 'UTC',
    startDate: toLocalInput(t.startDate),
    endDate: toLocalInput(t.endDate),
    maxOccurrences: t.maxOccurrences === null ? '' : String(t.maxOccurrences),
    parameters: params,
    timeout: t.parameters.executionTimeoutInMinutes === undefined ? '' : String(t.parameters.executionTimeoutInMinutes),
    updatePortalItem: t.parameters.updatePortalItem ?? true,
    saveInjectedParameters: t.parameters.saveInjectedParameters ?? false,
  };
}

/** Server parameter names → the form's field keys (anything else shows above the Save button). */
const SERVER_FIELD: Record<string, string> = {
  'parameters.notebookParameters': 'parameters',
  'parameters.executionTimeoutInMinutes': 'timeout',
  maxOccurences: 'maxOccurrences',
};

function toInput(f: FormState): TaskInput {
  const max = f.preset === 'once' ? 1 : f.maxOccurrences ? Number(f.maxOccurrences) : null;
  return {
    title: f.title,
    itemId: f.itemId,
    ...f.cron,
    timeZone: f.timeZone,
    startDate: fromLocalInput(f.startDate),
    endDate: fromLocalInput(f.endDate),
    maxOccurrences: max,
    parameters: {
      notebookParameters: f.parameters.trim() ? JSON.parse(f.parameters) : {},
      updatePortalItem: f.updatePortalItem,
      saveInjectedParameters: f.saveInjectedParameters,
      ...(f.timeout ? { executionTimeoutInMinutes: Number(f.timeout) } : {}),
    },
  };
}

/** New task / Edit task: presets or raw cron fields, and the next five run times computed by the server. */
export function TaskForm({ owner, id }: { owner?: string; id?: string }) {
  const { api, session, isAdmin } = useSignedIn();
  const editing = !!id;
  const notebooks = useData(() => visibleNotebooks(api, session.username, isAdmin), [session.username]);
  const existing = useData(() => (id ? api.tasks.get(owner!, id) : Promise.resolve(null)), [owner, id]);
  const [f, setF] = useState<FormState>(emptyForm);
  const [loaded, setLoaded] = useState(!editing);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [preview, setPreview] = useState<{ runs: number[]; errors: Record<string, string>; error: string | null; pending?: boolean }>({ runs: [], errors: {}, error: null, pending: true });

  useEffect(() => {
    if (existing.data && !loaded) {
      setF(formOf(existing.data));
      setLoaded(true);
    }
  }, [existing.data, loaded]);

  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));
  const setPreset = (preset: Preset, presetValues = f.presetValues) =>
    setF((s) => ({ ...s, preset, presetValues, cron: preset === 'custom' ? s.cron : cronOfPreset(preset, presetValues) }));
  const setPresetValue = <K extends keyof PresetValues>(k: K, v: PresetValues[K]) => setPreset(f.preset, { ...f.presetValues, [k]: v });
  const setCron = (k: keyof FormState['cron'], v: string) => setF((s) => ({ ...s, preset: 'custom', cron: { ...s.cron, [k]: v } }));

  // Live preview of the next five run times, from the server (the same validation as Save).
  const scheduleKey = JSON.stringify([f.cron, f.timeZone, f.startDate, f.endDate, f.maxOccurrences, f.preset]);
  useEffect(() => {
    if (!loaded) return;
    let cancelled = false;
    setPreview((p) => ({ ...p, pending: true }));
    const t = setTimeout(async () => {
      const input = toPreviewInput(f);
      try {
        const r = await api.tasks.preview(session.username, input);
        if (!cancelled) setPreview({ runs: r.nextRuns, errors: {}, error: null });
      } catch (e) {
        if (cancelled) return;
        const fields = e instanceof ApiError ? e.fieldErrors() : {};
        setPreview({ runs: [], errors: fields, error: Object.keys(fields).length ? null : errorText(e) });
      }
    }, 350);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [scheduleKey, loaded]);

  const fieldError = (k: string) => errors[k] ?? preview.errors[k] ?? null;
  const paramsProblem = jsonObjectProblem(f.parameters);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setFormError(null);
    const local: Record<string, string> = {};
    if (!f.title.trim()) local.title = 'Enter a title.';
    if (!f.itemId) local.itemId = 'Choose a notebook.';
    if (paramsProblem) local.parameters = paramsProblem;
    if (Object.keys(local).length) return setErrors(local);
    const input = toInput(f);
    const taskOwner = editing ? owner! : (notebooks.data?.find((n) => n.id === f.itemId)?.owner ?? session.username);
    setSaving(true);
    try {
      if (editing) {
        const { itemId: _ignored, ...patch } = input;
        await api.tasks.update(taskOwner, id!, patch as TaskInput);
        navigate(`/tasks/${encodeURIComponent(taskOwner)}/${id}`);
      } else {
        const r = await api.tasks.create(taskOwner, input);
        navigate(`/tasks/${encodeURIComponent(taskOwner)}/${r.taskId}`);
      }
    } catch (err) {
      if (err instanceof ApiError) {
        const byField: Record<string, string> = {};
        for (const [k, v] of Object.entries(err.fieldErrors())) byField[SERVER_FIELD[k] ?? k] = v;
        setErrors(byField);
        // The message too, unless every problem is already shown at its field.
        const known = new Set(['title', 'itemId', 'timeZone', 'startDate', 'endDate', 'maxOccurrences', 'parameters', 'timeout', ...CRON_FIELDS.map((c) => c.key)]);
        if (!Object.keys(byField).length || Object.keys(byField).some((k) => !known.has(k))) setFormError(err.message);
      } else setFormError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  const zoneList = useMemo(zones, []);
  if (!loaded) return <Alert>{errorText(existing.error)}</Alert>;

  return (
    <section aria-labelledby="task-form-title">
      <h1 id="task-form-title">{editing ? 'Edit task' : 'New task'}</h1>
      <form onSubmit={submit} noValidate className="task-form">
        <fieldset>
          <legend>Task</legend>
          <Field label="Title" error={errors.title}>
            {(p) => <input {...p} value={f.title} onChange={(e) => set('title', e.target.value)} />}
          </Field>
          <Field label="Notebook" error={errors.itemId} hint={editing ? 'A task keeps its notebook; create a new task for another one.' : undefined}>
            {(p) => (
              <select {...p} value={f.itemId} disabled={editing} onChange={(e) => set('itemId', e.target.value)}>
                <option value="">Choose a notebook…</option>
                {(notebooks.data ?? []).map((n) => (
                  <option key={n.id} value={n.id}>
                    {isAdmin ? `${n.title} (${n.owner})` : n.title}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </fieldset>

        <fieldset>
          <legend>Schedule</legend>
          <Field label="Repeat">
            {(p) => (
              <select {...p} value={f.preset} onChange={(e) => setPreset(e.target.value as Preset)}>
                {PRESETS.map((p) => (
                  <option key={p.value} value={p.value}>
                    {p.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {f.preset === 'once' && (
            <Field label="Date">{(p) => <input {...p} type="date" value={f.presetValues.date} onChange={(e) => setPresetValue('date', e.target.value)} />}</Field>
          )}
          {f.preset === 'hourly' && (
            <Field label="Minute past the hour">
              {(p) => <input {...p} type="number" min={0} max={59} value={f.presetValues.minute} onChange={(e) => setPresetValue('minute', Number(e.target.value))} />}
            </Field>
          )}
          {f.preset === 'weekly' && (
            <Field label="Weekday">
              {(p) => (
                <select {...p} value={f.presetValues.weekday} onChange={(e) => setPresetValue('weekday', Number(e.target.value))}>
                  {WEEKDAYS.map((d, i) => (
                    <option key={d} value={i}>
                      {d}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          {f.preset === 'monthly' && (
            <Field label="Day of the month">
              {(p) => <input {...p} type="number" min={1} max={31} value={f.presetValues.dayOfMonth} onChange={(e) => setPresetValue('dayOfMonth', Number(e.target.value))} />}
            </Field>
          )}
          {['once', 'daily', 'weekly', 'monthly'].includes(f.preset) && (
            <Field label="Time of day">{(p) => <input {...p} type="time" value={f.presetValues.time} onChange={(e) => setPresetValue('time', e.target.value)} />}</Field>
          )}
          <fieldset className="cron">
            <legend>Cron fields</legend>
            {CRON_FIELDS.map((c) => (
              <Field key={c.key} label={c.label} hint={c.hint} error={fieldError(c.key)}>
                {(p) => <input {...p} className="code" value={f.cron[c.key] ?? ''} onChange={(e) => setCron(c.key, e.target.value)} />}
              </Field>
            ))}
          </fieldset>
          <Field label="Time zone" error={fieldError('timeZone')} hint="An IANA time zone, e.g. Europe/Lisbon">
            {(p) => (
              <>
                <input {...p} list="time-zones" value={f.timeZone} onChange={(e) => set('timeZone', e.target.value)} />
                <datalist id="time-zones">
                  {zoneList.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <div className="row">
            <Field label="Start date" error={fieldError('startDate')}>
              {(p) => <input {...p} type="datetime-local" value={f.startDate} onChange={(e) => set('startDate', e.target.value)} />}
            </Field>
            <Field label="End date" error={fieldError('endDate')}>
              {(p) => <input {...p} type="datetime-local" value={f.endDate} onChange={(e) => set('endDate', e.target.value)} />}
            </Field>
            {f.preset !== 'once' && (
              <Field label="Max occurrences" error={fieldError('maxOccurrences')} hint="Empty: no limit">
                {(p) => <input {...p} type="number" min={1} value={f.maxOccurrences} onChange={(e) => set('maxOccurrences', e.target.value)} />}
              </Field>
            )}
          </div>
          <div className="preview" aria-live="polite">
            <h2>Next five run times</h2>
            <p className="schedule-words">{describeSchedule({ ...f.cron, timeZone: f.timeZone }, { once: f.preset === 'once' })}</p>
            {preview.error && <p className="field-error">{preview.error}</p>}
            {Object.keys(preview.errors).length > 0 && <p className="field-error">Fix the highlighted fields to see the next run times.</p>}
            {preview.pending && preview.runs.length === 0 && <p>Computing the next run times…</p>}
            {!preview.pending && !preview.error && !Object.keys(preview.errors).length && preview.runs.length === 0 && <p>No run left in this schedule.</p>}
            <ol aria-label="Next run times">
              {preview.runs.map((t) => (
                <li key={t}>
                  <time dateTime={new Date(t).toISOString()}>{formatTime(t, f.timeZone || undefined)}</time>
                </li>
              ))}
            </ol>
          </div>
        </fieldset>

        <fieldset>
          <legend>Run</legend>
          <JsonEditor label="Parameters" value={f.parameters} onChange={(v) => set('parameters', v)} error={errors.parameters} />
          <Field label="Timeout (minutes)" error={errors.timeout} hint="Empty: the site's maximum run time">
            {(p) => <input {...p} type="number" min={1} step="any" value={f.timeout} onChange={(e) => set('timeout', e.target.value)} />}
          </Field>
          <label className="switch">
            <input type="checkbox" role="switch" checked={f.updatePortalItem} onChange={(e) => set('updatePortalItem', e.target.checked)} />
            Update the notebook item with the executed notebook
          </label>
          <label className="switch">
            <input type="checkbox" role="switch" checked={f.saveInjectedParameters} onChange={(e) => set('saveInjectedParameters', e.target.checked)} />
            Save the injected parameters in the notebook
          </label>
        </fieldset>

        <Alert>{formError}</Alert>
        <div className="actions">
          <button type="button" onClick={() => history.back()}>
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

function toPreviewInput(f: FormState) {
  return {
    ...f.cron,
    timeZone: f.timeZone,
    startDate: fromLocalInput(f.startDate),
    endDate: fromLocalInput(f.endDate),
    maxOccurrences: f.preset === 'once' ? 1 : f.maxOccurrences ? Number(f.maxOccurrences) : null,
  };
}
