import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds buckets for runs (a few seconds to two hours). */
const RUN_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
/** Seconds buckets for waits and latencies (10 ms to 10 minutes). */
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type FireOutcome = 'started' | 'skipped' | 'missed' | 'submitfailed';
export type DeliveryOutcome = 'succeeded' | 'failed' | 'retried';

/**
 * Every metric of the process, in one registry (prom-client is used nowhere else). Named `nba_*`, plus the Node
 * defaults (`process_*`, `nodejs_*`). Gauges that describe a moment are filled by `onScrape` callbacks when scraped.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly scrapers: Array<() => Promise<void> | void> = [];

  readonly runsStarted = new Counter({ name: 'nba_runs_started_total', help: 'Runs started on this node, by trigger.', labelNames: ['trigger'], registers: [this.registry] });
  readonly runsFinished = new Counter({
    name: 'nba_runs_finished_total',
    help: 'Runs finished, by trigger and status (completed, failed, cancelled, timeout).',
    labelNames: ['trigger', 'status'],
    registers: [this.registry],
  });
  readonly runDuration = new Histogram({
    name: 'nba_run_duration_seconds',
    help: 'From start on a node to the end of the run.',
    labelNames: ['trigger', 'status'],
    buckets: RUN_BUCKETS,
    registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'nba_run_queue_wait_seconds',
    help: 'From submission to start on a node (queue wait; retries count from their due time).',
    labelNames: ['trigger'],
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly runsInProgress = new Gauge({ name: 'nba_runs_in_progress', help: 'Runs executing on the node.', labelNames: ['node'], registers: [this.registry] });
  readonly runCap = new Gauge({ name: 'nba_run_cap', help: 'maxExecuteNotebookContainersPerNode as the node applies it.', labelNames: ['node'], registers: [this.registry] });
  readonly warmReady = new Gauge({ name: 'nba_warm_containers_ready', help: 'Warm runner containers ready to take a run.', labelNames: ['node'], registers: [this.registry] });
  readonly queueJobs = new Gauge({
    name: 'nba_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, failed), site-wide (reported by the api).',
    labelNames: ['queue', 'state'],
    registers: [this.registry],
  });
  readonly taskFires = new Counter({
    name: 'nba_task_fires_total',
    help: 'Task fires handled by this process, by outcome (started, skipped, missed, submitfailed).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly fireLateness = new Histogram({
    name: 'nba_task_fire_lateness_seconds',
    help: 'How long after its scheduled time a fire started its run.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600],
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'nba_webhook_deliveries_total',
    help: 'Webhook and URL-notification delivery attempts, by outcome (succeeded, failed: the last attempt failed, retried).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly deliveryLatency = new Histogram({
    name: 'nba_webhook_delivery_duration_seconds',
    help: 'Time of one delivery attempt (request to answer or error).',
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'nba_http_requests_total',
    help: 'HTTP requests, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'nba_http_request_duration_seconds',
    help: 'HTTP request latency, by method and route pattern.',
    labelNames: ['method', 'route'],
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  readonly dbPool = new Gauge({
    name: 'nba_db_pool_connections',
    help: 'Postgres pool of this process: total, idle, and waiting (clients queued for a connection).',
    labelNames: ['state'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A callback run before each scrape (to read a gauge's current value). */
  onScrape(fn: () => Promise<void> | void): void {
    this.scrapers.push(fn);
  }

  /** The Prometheus text exposition of every metric. */
  async text(): Promise<string> {
    await Promise.all(this.scrapers.map((f) => Promise.resolve().then(f).catch(() => undefined)));
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  runStarted(trigger: string, waitSeconds: number): void {
    this.runsStarted.inc({ trigger });
    this.queueWait.observe({ trigger }, Math.max(0, waitSeconds));
  }

  runFinished(trigger: string, status: string, seconds: number | null): void {
    this.runsFinished.inc({ trigger, status });
    if (seconds !== null) this.runDuration.observe({ trigger, status }, Math.max(0, seconds));
  }

  taskFire(outcome: FireOutcome, latenessSeconds?: number): void {
    this.taskFires.inc({ outcome });
    if (latenessSeconds !== undefined) this.fireLateness.observe(Math.max(0, latenessSeconds));
  }

  delivery(outcome: DeliveryOutcome, seconds: number): void {
    this.deliveries.inc({ outcome });
    this.deliveryLatency.observe(seconds);
  }

  http(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }
}
