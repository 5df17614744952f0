import { existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A unix socket that forwards to the real Docker engine. Closing it makes the engine unreachable
 * for whoever uses this socket (connection refused / no such file), as when the daemon is stopped,
 * without stopping the daemon other tests on this machine are using.
 */
export class DockerSocketProxy {
  readonly path = join(tmpdir(), `nba-docker-${process.pid}-${Date.now()}.sock`);
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target = '/var/run/docker.sock') {}

  async up(): Promise<void> {
    if (existsSync(this.path)) unlinkSync(this.path);
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => this.server!.listen(this.path, r));
  }

  /** The engine "stops": open connections are cut and new ones fail. */
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = undefined;
    if (existsSync(this.path)) unlinkSync(this.path);
  }
}
