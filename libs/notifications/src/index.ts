export * from './mailer';
export * from './notification-events';
export * from './notification-message';
export * from './notification-targets-check';
export * from './notifications.module';
export * from './notifier.service';
