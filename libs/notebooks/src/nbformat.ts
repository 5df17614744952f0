/** A notebook in nbformat v4, as far as this server needs to know it. */
export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs?: unknown[];
  execution_count?: number | null;
  id?: string;
}
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSource = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));

/** Parses and checks the structure of an nbformat v4 notebook; returns it or the list of what is wrong. */
export function parseNotebook(text: string): { notebook: Notebook; problems: [] } | { notebook: null; problems: string[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { notebook: null, problems: [`not JSON: ${(e as Error).message}`] };
  }
  const problems: string[] = [];
  if (!isObject(doc)) return { notebook: null, problems: ['the notebook must be a JSON object'] };
  if (doc.nbformat !== 4) problems.push(`nbformat must be 4 (got ${JSON.stringify(doc.nbformat)})`);
  if (!Number.isInteger(doc.nbformat_minor) || (doc.nbformat_minor as number) < 0) problems.push('nbformat_minor must be a non-negative integer');
  if (!isObject(doc.metadata)) problems.push('metadata must be an object');
  if (!Array.isArray(doc.cells)) {
    problems.push('cells must be an array');
  } else {
    doc.cells.forEach((c: unknown, i: number) => {
      if (problems.length >= 20) return;
      if (!isObject(c)) return problems.push(`cells[${i}] must be an object`);
      if (!['code', 'markdown', 'raw'].includes(c.cell_type as string)) {
        problems.push(`cells[${i}].cell_type must be code, markdown or raw (got ${JSON.stringify(c.cell_type)})`);
      }
      if (!isSource(c.source)) problems.push(`cells[${i}].source must be a string or a list of strings`);
      if (!isObject(c.metadata)) problems.push(`cells[${i}].metadata must be an object`);
      if (c.cell_type === 'code') {
        if (!Array.isArray(c.outputs)) problems.push(`cells[${i}].outputs must be an array`);
        if (!(c.execution_count === null || Number.isInteger(c.execution_count))) {
          problems.push(`cells[${i}].execution_count must be null or an integer`);
        }
      }
    });
  }
  return problems.length ? { notebook: null, problems } : { notebook: doc as unknown as Notebook, problems: [] };
}

export const sourceText = (c: NotebookCell) => (Array.isArray(c.source) ? c.source.join('') : c.source);
