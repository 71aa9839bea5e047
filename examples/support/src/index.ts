export type {
  CollectorReport,
  ReceivedLogRecord,
  ReceivedSpan,
} from './collector-server.js';
export {
  type LocalCollector,
  SPAN_KIND_CLIENT,
  SPAN_KIND_SERVER,
  startLocalCollector,
} from './local-collector.js';
export { formatStats, reportChecks, type StatsLike } from './report.js';
