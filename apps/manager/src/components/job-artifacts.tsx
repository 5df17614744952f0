import { useState } from 'react';
import type { Rest } from '../api/rest';
import { Alert, errorText, SnapshotFrame } from './controls';

/** Saves a run's executed notebook as a file (the API needs the token in a header, so no plain link). */
export async function downloadNotebook(api: Rest, jobId: string, name = jobId): Promise<void> {
  const text = await api.jobs.notebook(jobId);
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ipynb+json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.ipynb`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Buttons for a finished run's artifacts: the HTML snapshot (shown in a sandboxed frame) and the executed notebook. */
export function JobArtifacts({ api, jobId, hasArtifacts, label }: { api: Rest; jobId: string; hasArtifacts: boolean; label: string }) {
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!hasArtifacts) return null;
  const open = async () => {
    setError(null);
    try {
      setHtml(html === null ? await api.jobs.snapshot(jobId) : null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const notebook = async () => {
    try {
      await downloadNotebook(api, jobId);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div className="artifacts">
      <button type="button" aria-expanded={html !== null} onClick={open}>
        {html === null ? 'Open snapshot' : 'Close snapshot'}
      </button>
      <button type="button" onClick={notebook}>
        Download notebook
      </button>
      <Alert>{error}</Alert>
      {html !== null && <SnapshotFrame html={html} title={`Snapshot of ${label}`} />}
    </div>
  );
}
