import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { hasMetricsToken, Metrics } from '@app/metrics';

/**
 * The worker's only HTTP: `GET /metrics` on METRICS_HOST:METRICS_PORT (loopback by default), bearer METRICS_TOKEN
 * when one is set. A port in use is logged, not fatal: the node still runs notebooks.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('WorkerMetrics');
  private server?: http.Server;

  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The port listened on (useful with METRICS_PORT=0). */
  get port(): number | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a?.port ?? null;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port, token } = this.config.metrics;
    const server = http.createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return void res.writeHead(404).end();
      if (token && !hasMetricsToken(req.headers.authorization, token)) return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      this.metrics
        .text()
        .then((text) => res.writeHead(200, { 'content-type': this.metrics.contentType }).end(text))
        .catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => {
      server.once('error', (e) => {
        this.log.warn(`metrics listener not started on ${host}:${port}: ${e.message}`);
        resolve();
      });
      server.listen(port, host, () => {
        this.server = server;
        this.log.log(`metrics on http://${host}:${this.port}/metrics`);
        resolve();
      });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
