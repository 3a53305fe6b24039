/** The app's Prometheus registry: one per app instance (never prom-client's global one). */
export const METRICS_REGISTRY = Symbol('MarketDataMetricsRegistry');
/** The app's SecretRedactor, shared by its logger, the connections' logs and the status payload. */
export const SECRET_REDACTOR = Symbol('MarketDataSecretRedactor');
