export * from './database';
export * from './migrations';
export * from './inbox-outbox';
