/**
 * The forms `notebookParameters` arrives in, and the one reading of them every trigger uses: a JSON object
 * (`{"x":1}`), or a JSON array of objects merged in order (`[{"x":1},{"y":"text"}]`, how a Python list of dicts
 * arrives, as the ArcGIS API for Python's docstring invites); either may come as a JSON string, sometimes encoded
 * twice. Anything else is refused with this message.
 */
export const NOTEBOOK_PARAMETERS_FORMS =
  'must be a JSON object of parameter names to values ({"x":1}) or a JSON array of such objects ([{"x":1},{"y":"text"}])';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The parameters as one object, or null when the value is none of the accepted forms. */
export function readNotebookParameters(value: unknown): Record<string, unknown> | null {
  let v = value;
  for (let i = 0; i < 2 && typeof v === 'string'; i++) {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (isPlainObject(v)) return v;
  if (Array.isArray(v) && v.every(isPlainObject)) return Object.assign({}, ...v);
  return null;
}
