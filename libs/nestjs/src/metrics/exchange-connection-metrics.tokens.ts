/** The options of ExchangeConnectionMetricsModule (the registry and naming). */
export const EXCHANGE_CONNECTION_METRICS_OPTIONS = Symbol('ExchangeConnectionMetricsOptions');
