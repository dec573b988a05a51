// Two projects: fast pure unit tests, and integration/e2e tests that need the real Kafka and
// Postgres (started by scripts/test.sh when not already given via KAFKA_BROKERS / DATABASE_URL).
const fs = require('node:fs');
const path = require('node:path');

const packages = fs.readdirSync(path.join(__dirname, 'packages'));
const moduleNameMapper = {};
for (const p of packages) moduleNameMapper[`^@customs/${p}$`] = `<rootDir>/packages/${p}/src`;

const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } }] };
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/.run/'],
};

module.exports = {
  // Integration tests wait on real Kafka consumer-group joins; unit tests finish far sooner.
  testTimeout: 120000,
  // Finds Kafka and Postgres for the integration tests (env, testcontainers, or local services).
  globalSetup: '<rootDir>/packages/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/packages/testing/src/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{packages,services,apps,scripts}/**/*.unit.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{packages,services,apps,scripts,tests}/**/*.{int,e2e}.test.ts'] },
  ],
};
