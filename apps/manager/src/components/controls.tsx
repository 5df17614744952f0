import React, { ReactNode, useEffect, useId, useRef, useState } from 'react';

/** An error or notice read out by screen readers when it appears. */
export function Alert({ children, kind = 'error' }: { children: ReactNode; kind?: 'error' | 'info' | 'success' }) {
  if (!children) return null;
  return (
    <p role={kind === 'error' ? 'alert' : 'status'} className={`alert alert-${kind}`}>
      {children}
    </p>
  );
}

export const errorText = (e: unknown) => (e ? ((e as Error).message ?? String(e)) : null);

/** A labelled control with its error underneath, tied together for assistive technology. */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string | null;
  hint?: string;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': !!error, 'aria-describedby': describedBy })}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

/** Checks that text is a JSON object: the problem, or null when it is one (empty text is `{}`). */
export function jsonObjectProblem(text: string): string | null {
  if (!text.trim()) return null;
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? null : 'Must be a JSON object, e.g. {"city": "Lisbon"}';
  } catch (e) {
    return `Not valid JSON: ${(e as Error).message}`;
  }
}

/** A JSON editor for an object (notebook parameters): validates as you type. */
export function JsonEditor({ label, value, onChange, error }: { label: string; value: string; onChange: (v: string) => void; error?: string | null }) {
  const problem = jsonObjectProblem(value) ?? error ?? null;
  return (
    <Field label={label} error={problem} hint='A JSON object of parameter names to values, e.g. {"city": "Lisbon", "days": 3}'>
      {(p) => <textarea {...p} className="code" rows={5} spellCheck={false} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

/**
 * Keyboard handling of a modal dialog: focus moves in (to `initial`, else the first control), Tab stays inside,
 * and focus goes back where it was when the dialog closes.
 */
export function useDialogFocus(initial?: React.RefObject<HTMLElement | null>) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    (initial?.current ?? box.current?.querySelector<HTMLElement>('input, button, select, textarea'))?.focus();
    return () => before?.focus?.();
  }, [initial]);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key !== 'Tab' || !box.current) return;
    const all = [...box.current.querySelectorAll<HTMLElement>('input, button, select, textarea, a[href]')].filter((el) => !el.hasAttribute('disabled'));
    if (!all.length) return;
    const [first, last] = [all[0], all[all.length - 1]];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return { ref: box, onKeyDown };
}

/** A confirmation in a modal dialog; focus moves into it and Escape cancels. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  const focus = useDialogFocus(cancel);
  return (
    <div className="backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <div role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} className="dialog" ref={focus.ref} onKeyDown={focus.onKeyDown}>
        <h2 id={`${id}-title`}>{title}</h2>
        <div>{children}</div>
        <div className="actions">
          <button type="button" ref={cancel} onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={onConfirm}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}

/** A button that asks first: `onConfirm` runs only after the dialog's confirmation. */
export function ConfirmButton({ label, title, question, onConfirm, className }: { label: string; title: string; question: ReactNode; onConfirm: () => void | Promise<void>; className?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className={className ?? 'danger'} onClick={() => setOpen(true)}>
        {label}
      </button>
      {open && (
        <ConfirmDialog
          title={title}
          confirmLabel={label}
          onCancel={() => setOpen(false)}
          onConfirm={() => {
            setOpen(false);
            void onConfirm();
          }}
        >
          {question}
        </ConfirmDialog>
      )}
    </>
  );
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          // clipboard refused (no permission, plain http): select-and-copy still works on the shown text
        }
        setDone(true);
        setTimeout(() => setDone(false), 2000);
      }}
    >
      {done ? 'Copied' : label}
    </button>
  );
}

/** A run's HTML snapshot: no scripts, opaque origin, nothing it can reach in the Manager. */
export function SnapshotFrame({ html, title }: { html: string; title: string }) {
  return <iframe className="snapshot" title={title} sandbox="" srcDoc={html} />;
}

/** Runs an action, shows its error, and tells the caller when it is done. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(errorText(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

/** A list filter: a labelled select whose first choice, All, is the empty value. */
export function FilterSelect({ label, value, onChange, options }: { label: string; value: string; onChange: (v: string) => void; options: (string | { value: string; label: string })[] }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All</option>
        {options.map((o) => {
          const { value: v, label: l } = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option key={v} value={v}>
              {l}
            </option>
          );
        })}
      </select>
    </div>
  );
}
