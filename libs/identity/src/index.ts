export * from './identity.module';
export * from './principal';
export * from './tokens.service';
export * from './users.repository';
export * from './groups.repository';
export * from './users.service';
export * from './user.view';
export * from './auth.guard';
