import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '@app/identity';
import { REDIS } from '@app/queues';
import { Returns } from '@app/rest';
import { HealthJson, ReadyJson } from './dto/health-responses.dto';

const within = <T>(p: Promise<T>, ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`no answer in ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
};

@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Returns(HealthJson)
  @Public()
  @Get('health')
  @HttpCode(200)
  health() {
    return { status: 'ok' };
  }

  /** Ready when Postgres and Redis answer; 503 otherwise, naming what is down. */
  @Returns(ReadyJson, { alsoStatuses: [503] })
  @Public()
  @Get('ready')
  async ready(@Res() res: Response) {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await within(fn(), 2000);
        return 'ok';
      } catch (e) {
        return `down: ${(e as Error).message}`;
      }
    };
    const [postgres, redis] = await Promise.all([check(() => this.ds.query('SELECT 1')), check(() => this.redis.ping())]);
    const ok = postgres === 'ok' && redis === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', postgres, redis });
  }
}
