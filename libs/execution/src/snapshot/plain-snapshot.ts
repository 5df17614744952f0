const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
const text = (v: unknown) => (Array.isArray(v) ? v.join('') : String(v ?? ''));

interface Cell {
  source?: unknown;
  outputs?: Array<{ output_type?: string; text?: unknown; traceback?: string[]; data?: Record<string, unknown> }>;
}

/**
 * The plain snapshot (runner/nbrunner/html_export.py's `fallback_html`): each cell's source and its outputs as text.
 * For when no exporter could render the notebook: a run never ends without a snapshot.
 */
export function plainSnapshot(notebook: string): string {
  let cells: Cell[] = [];
  try {
    const nb = JSON.parse(notebook) as { cells?: Cell[] };
    cells = Array.isArray(nb?.cells) ? nb.cells : [];
  } catch {
    // not JSON: an empty page, still a snapshot
  }
  const parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>notebook</title></head><body>"];
  cells.forEach((cell, i) => {
    parts.push(`<div class='cell'><pre>[${i}] ${escape(text(cell.source))}</pre>`);
    for (const out of cell.outputs ?? []) {
      const t =
        out.output_type === 'stream'
          ? text(out.text)
          : out.output_type === 'error'
            ? (out.traceback ?? []).map((l) => String(l).replace(ANSI, '')).join('\n')
            : text(out.data?.['text/plain']);
      parts.push(`<pre>${escape(t)}</pre>`);
    }
    parts.push('</div>');
  });
  parts.push('</body></html>');
  return parts.join('');
}
