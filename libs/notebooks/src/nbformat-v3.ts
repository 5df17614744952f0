/**
 * Upgrades an nbformat 3 notebook (cells inside `worksheets`, `input`/`prompt_number`, `pyout`/`pyerr` outputs,
 * `heading` cells) to nbformat 4.4, the way nbformat's own v3→v4 conversion does, so old notebooks run unchanged.
 */
type Json = Record<string, unknown>;

const MIME: Record<string, string> = {
  text: 'text/plain',
  html: 'text/html',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpeg: 'image/jpeg',
  latex: 'text/latex',
  json: 'application/json',
  javascript: 'application/javascript',
  pdf: 'application/pdf',
};
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | string[] => (typeof v === 'string' || Array.isArray(v) ? (v as string | string[]) : '');

function mimeBundle(o: Json): Json {
  const data: Json = {};
  for (const [k, v] of Object.entries(o)) if (MIME[k]) data[MIME[k]] = v;
  return data;
}

function output(o: Json): Json {
  switch (o.output_type) {
    case 'pyout':
      return { output_type: 'execute_result', execution_count: o.prompt_number ?? null, data: mimeBundle(o), metadata: isObject(o.metadata) ? o.metadata : {} };
    case 'pyerr':
      return { output_type: 'error', ename: o.ename ?? '', evalue: o.evalue ?? '', traceback: Array.isArray(o.traceback) ? o.traceback : [] };
    case 'stream':
      return { output_type: 'stream', name: o.stream ?? 'stdout', text: text(o.text) };
    default:
      return { output_type: 'display_data', data: mimeBundle(o), metadata: isObject(o.metadata) ? o.metadata : {} };
  }
}

function cell(c: Json): Json {
  const metadata: Json = isObject(c.metadata) ? { ...c.metadata } : {};
  switch (c.cell_type) {
    case 'code':
      if (c.collapsed !== undefined) metadata.collapsed = c.collapsed;
      return {
        cell_type: 'code',
        source: text(c.input),
        metadata,
        outputs: Array.isArray(c.outputs) ? c.outputs.filter(isObject).map(output) : [],
        execution_count: Number.isInteger(c.prompt_number) ? c.prompt_number : null,
      };
    case 'heading': {
      const source = Array.isArray(c.source) ? c.source.join('') : String(c.source ?? '');
      return { cell_type: 'markdown', source: `${'#'.repeat(Number(c.level) || 1)} ${source.replace(/\n/g, ' ')}`, metadata };
    }
    case 'raw':
      return { cell_type: 'raw', source: text(c.source), metadata };
    default: // markdown, html
      return { cell_type: 'markdown', source: text(c.source), metadata };
  }
}

/** The v4 form of a v3 notebook (anything not a v3 notebook is returned as it is). */
export function upgradeFromV3(doc: unknown): unknown {
  if (!isObject(doc) || doc.nbformat !== 3) return doc;
  const worksheets = Array.isArray(doc.worksheets) ? doc.worksheets.filter(isObject) : [];
  const cells = worksheets.flatMap((w) => (Array.isArray(w.cells) ? w.cells.filter(isObject).map(cell) : []));
  const metadata: Json = isObject(doc.metadata) ? { ...doc.metadata } : {};
  delete metadata.name;
  return { nbformat: 4, nbformat_minor: 4, metadata: { ...metadata, orig_nbformat: 3 }, cells };
}
