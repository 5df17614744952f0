/**
 * Checks that notebook parameters have a Python literal form, the way the runner will render them
 * (str, int, float, bool, None, lists, dicts with string keys). Done at submission so a bad
 * parameter is a 400 and nothing is queued.
 */
const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);

export function parameterProblems(params: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || PY_KEYWORDS.has(name)) {
      problems.push(`${name}: not a valid Python variable name`);
      continue;
    }
    const bad = literalProblem(value, name);
    if (bad) problems.push(bad);
  }
  return problems;
}

function literalProblem(v: unknown, path: string): string | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `${path}: ${v} has no Python literal form`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = literalProblem(v[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = literalProblem(x, `${path}.${k}`);
      if (p) return p;
    }
    return null;
  }
  return `${path}: a ${typeof v} has no Python literal form`;
}
