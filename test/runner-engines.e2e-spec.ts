import { spawn, spawnSync } from 'node:child_process';

// Equivalence of the runner's two engines (runner/README.md, "Engines"): the same notebook through
// NBRUNNER_ENGINE=kernel (runner + ipykernel through nbclient, the baseline) and =inprocess (one
// process, IPython's shell, the cells in a forked child) in the real images, over the stdin protocol
// the worker uses, must give the same executed notebook, snapshot, result and progress lines once
// what must differ is normalised (times, process ids, memory addresses).

jest.setTimeout(600_000);

const runtimes = new Map(
  (process.env.NBA_TEST_RUNTIMES ?? '')
    .split(',')
    .filter((p) => p.includes('='))
    .map((p) => p.split('=', 2) as [string, string]),
);
const MINIMAL = runtimes.get('default') ?? 'nbautomation/runner:latest';
const STANDARD = runtimes.get('standard') ?? 'nbautomation/runner-standard:latest';

interface Run {
  code: number | null;
  lines: string[];
  output: { result: Record<string, unknown>; notebook: string | null; snapshot: string | null };
}

function runEngine(image: string, engine: 'kernel' | 'inprocess', notebook: object, spec: object): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['run', '-i', '--rm', '--network', 'none', '-e', 'NBRUNNER_INPUT=stdin', '-e', `NBRUNNER_ENGINE=${engine}`, image]);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.split('\n').filter(Boolean);
      const outputLine = lines.find((l) => l.startsWith('NBRUNNER OUTPUT '));
      if (!outputLine) return reject(new Error(`${engine}: no OUTPUT line (exit ${code}): ${out.slice(0, 500)}`));
      resolve({ code, lines: lines.filter((l) => l !== outputLine), output: JSON.parse(outputLine.slice('NBRUNNER OUTPUT '.length)) });
    });
    child.stdin.end(JSON.stringify({ notebook, spec }) + '\n');
  });
}

/** What legitimately differs between two runs (of either engine). */
function normalise(text: string): string {
  return (
    text
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, 'TIME')
      .replace(/ipykernel_\d+/g, 'ipykernel_PID')
      .replace(/0x[0-9a-f]{6,}/g, '0xADDR')
      // The frame of the function refusing input(): ipykernel's Kernel.raw_input/getpass vs nbrunner's.
      .replace(/File <span[^>]*>[^<]*(kernelbase\.py|shell_child\.py):\d+<\/span>, in <span[^>]*>[^<]*(raw_input|getpass)<\/span>[\s\S]*?(?=\n\n|\n<\/pre>)/g, 'REFUSING-FRAME')
  );
}

/** Traceback entries of that refusing frame (in the notebook's error outputs and result.error). */
function withoutRefusingFrame(json: string): string {
  const frame = /^(\x1b\[[0-9;]*m)*File (\x1b\[[0-9;]*m)*\S*(kernelbase|shell_child)\.py:\d+/;
  return JSON.stringify(JSON.parse(json), (key, value) =>
    key === 'traceback' && Array.isArray(value) ? value.map((t: string) => (frame.test(t) ? 'REFUSING-FRAME' : t)) : value,
  );
}

function comparable(run: Run) {
  const { startedAt, finishedAt, timings, ...result } = run.output.result;
  expect(typeof startedAt).toBe('number');
  expect(typeof finishedAt).toBe('number');
  expect(Object.keys(timings as object).sort()).toEqual(['executeMs', 'exportMs', 'inputSeenMs', 'kernelReadyMs']);
  return {
    code: run.code,
    lines: normalise(run.lines.join('\n')),
    result: normalise(withoutRefusingFrame(JSON.stringify(result))),
    notebook: normalise(withoutRefusingFrame(run.output.notebook ?? 'null')),
    snapshot: normalise(run.output.snapshot ?? ''),
  };
}

async function bothEngines(image: string, notebook: object, spec: object = {}) {
  const [kernel, inprocess] = await Promise.all([runEngine(image, 'kernel', notebook, spec), runEngine(image, 'inprocess', notebook, spec)]);
  const a = comparable(kernel);
  const b = comparable(inprocess);
  expect(b.code).toBe(a.code);
  expect(b.result).toBe(a.result);
  expect(b.lines).toBe(a.lines);
  expect(b.notebook).toBe(a.notebook);
  expect(b.snapshot).toBe(a.snapshot);
  return { kernel, inprocess, notebook: JSON.parse(inprocess.output.notebook ?? 'null') };
}

const code = (source: string, tags: string[] = []) => ({ cell_type: 'code', id: `c${Math.random().toString(36).slice(2, 10)}`, source, metadata: tags.length ? { tags } : {}, outputs: [], execution_count: null });
const markdown = (source: string) => ({ cell_type: 'markdown', id: `m${Math.random().toString(36).slice(2, 10)}`, source, metadata: {} });
const nb = (...cells: object[]) => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });

const outputsOf = (n: { cells: { outputs?: { output_type: string }[] }[] }, i: number) => (n.cells[i].outputs ?? []).map((o) => o.output_type);

describe('runner engines: inprocess gives what kernel gives', () => {
  beforeAll(() => {
    for (const image of [MINIMAL, STANDARD]) {
      const probe = spawnSync('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'test', image, '-f', '/opt/nbrunner/inprocess.py']);
      if (probe.status !== 0) throw new Error(`${image} has no nbrunner/inprocess.py: rebuild it (scripts/docker/build-runner-offline.sh)`);
    }
  });

  it('streams, results, fd-level output, warnings, markdown, blank and skipped cells', async () => {
    const { notebook } = await bothEngines(
      MINIMAL,
      nb(
        markdown('# title'),
        code('print("out 1")\nimport sys\nprint("err 1", file=sys.stderr)\nprint("out 2")\n6 * 7'),
        code(''),
        code('print("skipped")', ['skip-execution']),
        // The warning is flushed before the subprocess writes, and the subprocess is given a moment: ipykernel (the
        // reference) sends fd-level output whenever its watcher thread runs, so under load it came after the warning
        // or in the next cell. The in-process engine hands it over at every flush (shell_child.OutStream.drain).
        code('import os, sys, time, warnings\nwarnings.warn("careful")\nsys.stderr.flush()\nos.system("echo from a subprocess")\ntime.sleep(0.2)\n"last"'),
        code('here = %pwd\n!echo shell-escape\nhere'),
      ),
    );
    expect(outputsOf(notebook, 1)).toEqual(['stream', 'stream', 'execute_result']);
    expect(notebook.cells[1].execution_count).toBe(1);
    expect(outputsOf(notebook, 3)).toEqual([]);
  });

  it('display data, display updates across cells, clear_output', async () => {
    const { notebook } = await bothEngines(
      MINIMAL,
      nb(
        code('from IPython.display import display, HTML, Markdown, clear_output\nh = display(HTML("<b>first</b>"), display_id=True)\ndisplay(Markdown("*md*"), {"application/json": {"a": [1, 2]}}, raw=False)'),
        code('h.update(HTML("<i>updated</i>"))\nfor i in range(3):\n    clear_output(wait=True)\n    print("tick", i)'),
        code('display({"text/plain": "raw bundle", "text/html": "<p>raw</p>"}, raw=True)\nclear_output()\nprint("after clear")'),
      ),
    );
    expect(JSON.stringify(notebook.cells[0].outputs[0].data)).toContain('updated');
  });

  it('errors and tracebacks: a function frame, a SyntaxError, raises-exception, the first error stops the run', async () => {
    const { inprocess, notebook } = await bothEngines(
      MINIMAL,
      nb(
        code('def f(x):\n    return 1 / x'),
        code('f(0)', ['raises-exception']),
        code('def broken(:\n    pass', ['raises-exception']),
        code('print("still running")\nraise KeyError("missing")'),
        code('print("never")'),
      ),
    );
    expect(inprocess.code).toBe(1);
    expect(inprocess.output.result.message).toBe("cell 3 raised KeyError: 'missing'");
    expect(outputsOf(notebook, 4)).toEqual([]);
  });

  it('input() and getpass refused with StdinNotImplementedError', async () => {
    await bothEngines(MINIMAL, nb(code('try:\n    input("name? ")\nexcept Exception as e:\n    print(type(e).__name__, e)'), code('import getpass\ngetpass.getpass()')));
  });

  it('the deadline: the running cell gets the TimeoutError output', async () => {
    const { inprocess, notebook } = await bothEngines(MINIMAL, nb(code('print(1)'), code('import time\nprint("waiting", flush=True)\ntime.sleep(0.5)\nprint("more")\ntime.sleep(30)'), code('print("never")')), { timeoutSeconds: 3 });
    expect(inprocess.code).toBe(3);
    expect(outputsOf(notebook, 1).at(-1)).toBe('error');
  });

  it('a crash of the notebook process is DeadKernelError with the notebook up to the crash', async () => {
    // The sleep lets ipykernel send what came before the crash (its IOPub thread sends asynchronously,
    // so a kernel that dies at once loses even its busy/execute_input messages; the in-process engine does not).
    const { inprocess } = await bothEngines(MINIMAL, nb(code('print("before")'), code('import os, time\nprint("dying", flush=True)\ntime.sleep(0.5)\nos._exit(3)'), code('print("never")')));
    expect(inprocess.code).toBe(1);
    expect(inprocess.output.result.error).toMatchObject({ ename: 'DeadKernelError', cellIndex: 1 });
    const segv = await bothEngines(MINIMAL, nb(code('import ctypes, time\nprint("x", flush=True)\ntime.sleep(0.5)\nctypes.string_at(0)')));
    expect(segv.inprocess.output.result.error).toMatchObject({ ename: 'DeadKernelError', cellIndex: 0 });
  });

  it('large outputs: past outputLimitBytes, outputs are dropped with the visible note', async () => {
    const { notebook } = await bothEngines(MINIMAL, nb(code('print("a" * 1000)'), code('for i in range(100):\n    print("b" * 100)'), code('from IPython.display import HTML\nHTML("<p>" + "c" * 5000 + "</p>")')), { outputLimitBytes: 4000 });
    expect(JSON.stringify(notebook)).toContain('[output truncated');
  });

  it('parameters, webhook payload and env injection', async () => {
    await bothEngines(
      MINIMAL,
      nb(code('greeting = "default"', ['parameters']), code('import os\nprint(greeting, count, webhook_payload, os.environ["RUN_FLAG"])')),
      { parameters: { greeting: "it's", count: 3 }, webhookPayload: { event: 'x' }, env: { RUN_FLAG: 'on' } },
    );
  });

  it("older notebook formats, stale outputs, the kernel's sys.path, environment and working folder", async () => {
    await bothEngines(
      MINIMAL,
      {
        nbformat: 4,
        nbformat_minor: 4,
        metadata: { language_info: { name: 'python' } },
        cells: [
          { cell_type: 'code', metadata: { tags: ['parameters'] }, source: ['a = 1\n', 'b = 2'], outputs: [{ output_type: 'stream', name: 'stdout', text: 'stale' }], execution_count: 7 },
          { cell_type: 'code', metadata: {}, source: 'import os, sys\nprint(sys.path, __name__, os.getcwd(), sys.stdout.isatty())\nprint(sorted(k for k in os.environ if k != "HOSTNAME"), os.environ["JPY_PARENT_PID"], os.environ["MPLBACKEND"])', outputs: [], execution_count: null },
          { cell_type: 'raw', metadata: {}, source: 'raw' },
        ],
      },
      { parameters: { a: 5 } },
    );
    const v3 = { nbformat: 3, nbformat_minor: 0, metadata: { name: 'old' }, worksheets: [{ cells: [{ cell_type: 'code', input: 'print("v3")', language: 'python', outputs: [], metadata: {} }] }] };
    const [kernel, inprocess] = await Promise.all([runEngine(MINIMAL, 'kernel', v3, {}), runEngine(MINIMAL, 'inprocess', v3, {})]);
    expect(inprocess.output.result.message).toBe(kernel.output.result.message);
    // Converting v3 gives each cell a random id: the rest is the same.
    const withoutIds = (text: string | null) => normalise(text ?? '').replace(/"id": "[0-9a-f]+"/g, '"id": "ID"');
    expect(withoutIds(inprocess.output.notebook)).toBe(withoutIds(kernel.output.notebook));
  });

  it('rich outputs in the standard runtime: pandas DataFrames, matplotlib PNGs, numpy', async () => {
    const { notebook } = await bothEngines(
      STANDARD,
      nb(
        code('import pandas as pd\ndf = pd.DataFrame({"a": range(5), "b": [x * 0.5 for x in range(5)]})\ndf'),
        code('pd.DataFrame({c * 8: range(3) for c in "abcdefghijklmnopqrstuvwxyz"})'),
        code('import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [3, 1, 2])\nplt.title("a line")'),
        code('fig, ax = plt.subplots()\nax.bar([1, 2], [3, 4])\nplt.show()\nprint("after show")'),
        code('import numpy as np\nnp.arange(12).reshape(3, 4)'),
      ),
    );
    expect(Object.keys(notebook.cells[0].outputs[0].data).sort()).toEqual(['text/html', 'text/plain']);
    expect(JSON.stringify(notebook.cells[2].outputs)).toContain('image/png');
  });

  it('snapshot "none": no snapshot, and the in-process engine imports no kernel or export machinery', async () => {
    const notebook = nb(code('import sys\nprint(sorted(m for m in ("zmq", "jupyter_client", "nbclient", "nbconvert", "nbformat", "jedi") if m in sys.modules))\nimport jedi'));
    const run = await runEngine(MINIMAL, 'inprocess', notebook, { snapshot: 'none' });
    expect(run.code).toBe(0);
    expect(run.output.snapshot).toBeNull();
    const executed = JSON.parse(run.output.notebook ?? 'null');
    expect(executed.cells[0].outputs[0].text).toEqual(['[]\n']);
    const bad = await runEngine(MINIMAL, 'inprocess', notebook, { snapshot: 'html' });
    expect(bad.code).toBe(2);
    expect(bad.output.result.message).toBe('invalid input: snapshot must be one of runner, none');
  });
});
