export * from './runtimes.module';
export * from './runtimes.service';
export * from './runtime-limits';
export * from './runtime.view';
export * from './dto/runtime.dto';
