export * from './domain-event.entity';
export * from './group.entity';
export * from './item.entity';
export * from './run.entity';
export * from './task.entity';
export * from './user.entity';
export * from './webhook.entity';
export * from './role.entity';
