/** Small notebooks the integration tests run. */
const code = (source: string, tags: string[] = []) => ({
  cell_type: 'code',
  source,
  metadata: tags.length ? { tags } : {},
  outputs: [],
  execution_count: null,
});

export const nb = (...cells: object[]) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells,
});

export const parameterized = () =>
  nb(code('greeting = "default"\ncount = 1', ['parameters']), code('print(f"{greeting} x{count}")\nprint(type(count).__name__)'));

export const raising = () => nb(code('print("before")'), code('raise ValueError("boom in cell")'), code('print("never")'));

export const sleeping = (seconds: number) => nb(code(`import time\ntime.sleep(${seconds})\nprint("slept")`));

export const printing = (source: string) => nb(code(source));
