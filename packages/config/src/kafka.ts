import { bool, int, oneOf, optionalUrl, str } from './index';

/** SASL mechanisms the platform's Kafka client speaks (kafkajs): none, PLAIN, SCRAM, OAUTHBEARER. */
export const KAFKA_SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'] as const;

/**
 * How to reach a production Kafka (MSK, Confluent Cloud, Strimzi): TLS, SASL and the replication
 * factor topics are declared with. Parsed with the other variables at start-up; the cross-variable
 * rules (a mechanism's credentials, readable files) are checked by @customs/kafka's
 * kafkaSecurityOptions before any connection, with every problem naming its variable.
 * Examples per provider: docs/kafka.md.
 */
export function kafkaConnectionSpecs() {
  return {
    // TLS to the brokers (MSK :9094/:9096, Confluent Cloud, Strimzi's tls listener).
    KAFKA_SSL: bool({ default: false }),
    // PEM CA bundle for a private CA (Strimzi's cluster CA); empty = the system's trusted CAs.
    KAFKA_SSL_CA_FILE: str({ default: '' }),
    // Client certificate and key (PEM) for mutual TLS (Strimzi "tls" authentication, MSK mTLS).
    KAFKA_SSL_CERT_FILE: str({ default: '' }),
    KAFKA_SSL_KEY_FILE: str({ default: '' }),
    KAFKA_SSL_KEY_PASSWORD: str({ default: '' }),
    // Keep true outside a laboratory: false accepts any certificate.
    KAFKA_SSL_REJECT_UNAUTHORIZED: bool({ default: true }),
    KAFKA_SASL_MECHANISM: oneOf(KAFKA_SASL_MECHANISMS, { default: 'none' }),
    // PLAIN / SCRAM credentials (Confluent Cloud API key and secret; MSK SCRAM secret).
    KAFKA_SASL_USERNAME: str({ default: '' }),
    KAFKA_SASL_PASSWORD: str({ default: '' }),
    // The password read from a file (a mounted Kubernetes secret) instead of the environment.
    KAFKA_SASL_PASSWORD_FILE: str({ default: '' }),
    // OAUTHBEARER: a token file re-read at every authentication (a projected service-account or
    // sidecar-refreshed token), or an OAuth 2.0 client-credentials token endpoint.
    KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: str({ default: '' }),
    KAFKA_SASL_OAUTHBEARER_TOKEN_URL: optionalUrl({ protocols: ['https:', 'http:'] }),
    KAFKA_SASL_OAUTHBEARER_CLIENT_ID: str({ default: '' }),
    KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET: str({ default: '' }),
    KAFKA_SASL_OAUTHBEARER_SCOPE: str({ default: '' }),
    // Replication factor of the topics the platform declares (infra/kafka/topics.json): 1 for the
    // single local broker, 3 on a production cluster.
    KAFKA_REPLICATION_FACTOR: int({ default: 1, min: 1, max: 16 }),
  };
}
