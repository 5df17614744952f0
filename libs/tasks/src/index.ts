export * from './cron-schedule';
export * from './fire-plan';
export * from './scheduler.service';
export * from './task-outcomes.service';
export * from './task.view';
export * from './tasks.module';
export * from './tasks.repository';
export * from './tasks.service';
