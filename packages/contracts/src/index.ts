export * from './generated/customs/v1/declaration';
export * from './generated/customs/v1/finding';
export * from './generated/customs/v1/score';
export * from './generated/customs/v1/alert';
export * from './generated/customs/v1/reference';
export * from './generated/customs/v1/services';
export * as health from './generated/grpc/health/v1/health';
export * from './topics';
export * from './text';
