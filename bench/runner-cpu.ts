/**
 * CPU per cold run inside the runner container, per engine (runner/README.md, "Engines").
 *
 * Each sample is one `docker run -i --rm --network none` of the runner image with a one-cell notebook
 * over the stdin protocol (what the worker does), in a cgroup parent of its own: cgroup v1 `cpuacct`
 * charges a container's CPU to its ancestors too, and the parent keeps the count after the container
 * is gone, so the difference of the parent's `cpuacct.usage` around one run is everything that ran in
 * the container (not dockerd/containerd/runc outside it). Steps that break the in-process engine's
 * figure down run the same way: a bare `/bin/true`, the interpreter alone, IPython imported and the
 * shell built, warmed, and its tracebacks warmed (done only while a warm container idles).
 *
 *   npx ts-node -r tsconfig-paths/register -T bench/runner-cpu.ts
 *   env: BENCH_RUNNER_CPU_RUNS (10), BENCH_RUNNER_IMAGE (nbautomation/runner:latest)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { machine, oneCell, percentiles, runBenchmark, writeResult } from './support';

const RUNS = Number(process.env.BENCH_RUNNER_CPU_RUNS ?? 10);
const IMAGE = process.env.BENCH_RUNNER_IMAGE ?? 'nbautomation/runner:latest';
const CGROUP = `nba-bench-runner-cpu-${process.pid}`;
const USAGE = `/sys/fs/cgroup/cpuacct/${CGROUP}/cpuacct.usage`;

interface Step {
  name: string;
  args: string[];
  input?: string;
  status?: string; // the DONE status expected (default succeeded)
}

const line = (spec: object, source?: string) => JSON.stringify({ notebook: oneCell(source), spec }) + '\n';
const py = (code: string) => ['--entrypoint', 'python3', IMAGE, '-c', code];
const SHELL = 'import os, nbrunner.shell_child as s; sh = s.build()';
const EXIT = '; os._exit(0)'; // as the runner exits: no interpreter teardown

const STEPS: Step[] = [
  { name: 'container, /bin/true', args: ['--entrypoint', '/bin/true', IMAGE] },
  { name: 'python3 -c pass', args: py('import os' + EXIT) },
  { name: 'inprocess: IPython imported, shell built', args: py(SHELL + EXIT) },
  { name: 'inprocess: ... and warmed', args: py(`${SHELL}; s.warm(sh)${EXIT}`) },
  { name: 'inprocess: ... and tracebacks warmed (idle only)', args: py(`${SHELL}; s.warm(sh); s.warm_tracebacks(sh)${EXIT}`) },
  { name: 'inprocess run, snapshot "none"', args: ['-e', 'NBRUNNER_ENGINE=inprocess', IMAGE], input: line({ snapshot: 'none' }) },
  { name: 'inprocess run raising, snapshot "none"', args: ['-e', 'NBRUNNER_ENGINE=inprocess', IMAGE], input: line({ snapshot: 'none' }, '1/0'), status: 'failed' },
  { name: 'inprocess run, snapshot "runner"', args: ['-e', 'NBRUNNER_ENGINE=inprocess', IMAGE], input: line({}) },
  { name: 'kernel run (baseline), snapshot "runner"', args: ['-e', 'NBRUNNER_ENGINE=kernel', IMAGE], input: line({}) },
];

const usage = () => Number(readFileSync(USAGE, 'utf8'));

function sample(step: Step): number {
  const before = usage();
  const r = spawnSync('docker', ['run', '-i', '--rm', '--network', 'none', `--cgroup-parent=/${CGROUP}`, '-e', 'NBRUNNER_INPUT=stdin', ...step.args], {
    input: step.input ?? '',
    encoding: 'utf8',
  });
  const status = step.status ?? 'succeeded';
  if (r.status !== (status === 'failed' ? 1 : 0)) throw new Error(`${step.name}: exit ${r.status}: ${r.stderr.slice(-500)}`);
  if (step.input && !r.stdout.includes(`NBRUNNER DONE ${status}`)) throw new Error(`${step.name}: ${r.stdout.slice(-300)}`);
  return (usage() - before) / 1e6;
}

runBenchmark(async () => {
  // Docker creates the cgroup parent on the first run.
  spawnSync('docker', ['run', '--rm', '--network', 'none', `--cgroup-parent=/${CGROUP}`, '--entrypoint', '/bin/true', IMAGE]);
  const before = machine();
  const results: Record<string, ReturnType<typeof percentiles>> = {};
  for (const step of STEPS) {
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) xs.push(Math.round(sample(step) * 10) / 10);
    results[step.name] = percentiles(xs);
    console.log(`${step.name.padEnd(44)} CPU ms p50 ${results[step.name].p50}  min ${results[step.name].min}  max ${results[step.name].max}`);
  }
  const file = writeResult('runner-cpu', { image: IMAGE, runs: RUNS, results, machine: before, loadavgAfter: machine().loadavg });
  console.log(`load average before ${before.loadavg.join(' ')}, after ${machine().loadavg.join(' ')}; ${file}`);
});
