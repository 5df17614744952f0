import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { loadConfigOrExit } from '@app/config';
import { WorkerModule } from './worker.module';

async function main() {
  const config = loadConfigOrExit();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  new Logger('Worker').log(`worker ${config.nodeName} started`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
