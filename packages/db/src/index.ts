export * from './database';
export * from './migrations';
export * from './inbox-outbox';
export * from './outbox-pack';
export * from './audit-trail';
export * from './outbox-age';
