export * from './client';
export * from './connection';
export * from './events';
export * from './consumer';
export * from './outbox-relay';
export * from './redrive';
export * from './consumer-lag';
