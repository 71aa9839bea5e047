export {
  createOtlpLogsEncoder,
  createOtlpSpansEncoder,
  OTLP_CONTENT_TYPES,
} from './otlp-encoders.js';
export type {
  OtlpAttributes,
  OtlpContentType,
  OtlpEncoder,
  OtlpEncoderOptions,
  OtlpFormat,
  OtlpHrTime,
  OtlpLogRecord,
  OtlpRequestWriter,
  OtlpResource,
  OtlpScope,
  OtlpSpan,
  OtlpSpanContext,
} from './types.js';
