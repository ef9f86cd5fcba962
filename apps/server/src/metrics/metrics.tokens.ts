import type { EngineMetrics } from './metrics';

/** Functions that refresh state gauges right before a scrape. */
export type MetricsCollector = (metrics: EngineMetrics) => void | Promise<void>;
export const METRICS_COLLECTORS = Symbol('METRICS_COLLECTORS');
