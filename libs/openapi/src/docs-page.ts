/** The API reference as one self-contained HTML page (no script, no CDN), rendered from the OpenAPI document. */
export function docsPage(doc: Record<string, unknown>): string {
  const info = doc.info as { title: string; version: string; description: string };
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const byTag = new Map<string, Array<{ method: string; path: string; op: Operation }>>();
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags?.[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ method, path, op });
    }
  }
  const tags = [...byTag.keys()].sort();
  const nav = tags.map((t) => `<li><a href="#${esc(t)}">${esc(t)}</a></li>`).join('');
  const sections = tags
    .map((t) => `<section id="${esc(t)}"><h2>${esc(t)}</h2>${byTag.get(t)!.map((o) => operation(o.method, o.path, o.op)).join('')}</section>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)} API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${CSS}</style></head><body>
<header><h1>${esc(info.title)} <small>${esc(info.version)} · OpenAPI ${esc(String(doc.openapi))}</small></h1>
<p>${esc(info.description)}</p><p>Machine-readable: <a href="openapi.json">openapi.json</a>.</p></header>
<nav><ul>${nav}</ul></nav><main>${sections}</main></body></html>`;
}

interface Operation {
  operationId?: string;
  tags?: string[];
  parameters?: Array<{ name?: string; in?: string; required?: boolean; schema?: unknown; $ref?: string }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: unknown }>; $ref?: string }>;
  security?: unknown[];
}

function operation(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? []).filter((p) => !p.$ref);
  const rows = params.map((p) => `<tr><td><code>${esc(p.name ?? '')}</code></td><td>${esc(p.in ?? '')}</td><td>${p.required ? 'yes' : ''}</td><td>${schemaText(p.schema)}</td></tr>`).join('');
  const body = op.requestBody ? Object.entries(op.requestBody.content) : [];
  const bodyHtml = body.length
    ? `<h4>Body <small>${body.map(([t]) => esc(t)).join(', ')}</small></h4>${properties(body[0][1].schema)}`
    : '';
  const responses = Object.entries(op.responses)
    .map(([code, r]) => `<li><b>${esc(code)}</b> ${r.$ref ? 'the error format' : esc(r.description ?? '')}${r.content ? ` <small>${Object.keys(r.content).map(esc).join(', ')}</small>${Object.values(r.content)[0] && hasShape(Object.values(r.content)[0].schema) ? properties(Object.values(r.content)[0].schema) : ''}` : ''}</li>`)
    .join('');
  return `<article id="${esc(op.operationId ?? '')}"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code>${
    op.security && op.security.length === 0 ? ' <small>no token</small>' : ''
  }</h3><p class="id">${esc(op.operationId ?? '')}</p>${rows ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${rows}</table>` : ''}${bodyHtml}<h4>Responses</h4><ul>${responses}</ul></article>`;
}

const hasShape = (s: unknown) => !!s && typeof s === 'object' && Object.keys(s as object).length > 0;

function properties(schema: unknown): string {
  const s = schema as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  if (!s?.properties) return `<pre>${esc(JSON.stringify(schema, null, 1))}</pre>`;
  const req = new Set(s.required ?? []);
  const rows = Object.entries(s.properties)
    .map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td>${req.has(k) ? 'yes' : ''}</td><td>${schemaText(v)}</td></tr>`)
    .join('');
  return `<table><tr><th>field</th><th>required</th><th>schema</th></tr>${rows}</table>`;
}

function schemaText(s: unknown): string {
  const text = JSON.stringify(s);
  return text && text.length > 160 ? `<details><summary>${esc(text.slice(0, 100))}…</summary><pre>${esc(JSON.stringify(s, null, 1))}</pre></details>` : `<code>${esc(text ?? '')}</code>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:0;display:grid;grid-template-columns:16rem 1fr;color:#1b1f24}
header{grid-column:1/3;padding:1rem 2rem;background:#f3f5f8;border-bottom:1px solid #d8dde3}header h1{margin:0}small{color:#5b6470;font-weight:normal}
nav{padding:1rem;border-right:1px solid #d8dde3}nav ul{list-style:none;padding:0;margin:0;position:sticky;top:1rem}nav a{text-decoration:none}
main{padding:0 2rem 4rem}article{border:1px solid #d8dde3;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
h3{margin:.3rem 0;font-size:15px}.m{display:inline-block;min-width:3.5rem;text-align:center;border-radius:4px;color:#fff;padding:0 .3rem}
.get{background:#2f7d32}.post{background:#1f5fa8}.put,.patch{background:#8a5a00}.delete{background:#a32020}.id{color:#5b6470;margin:0}
table{border-collapse:collapse;margin:.3rem 0}td,th{border:1px solid #e1e5ea;padding:.15rem .5rem;text-align:left;vertical-align:top}
pre{white-space:pre-wrap;margin:0}code{font:12px ui-monospace,monospace}`;
