export * from './database';
export * from './migrations';
export * from './inbox-outbox';
export * from './outbox-pack';
export * from './outbox-age';
export * from './audit-trail';
