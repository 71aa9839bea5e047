/** The severity fields of a log record. */
export interface SeverityFields {
  readonly severityNumber?: number;
  readonly severityText?: string;
}

// OpenTelemetry's short names of severity numbers 1-24 (index = number). The numbers are part of
// the log data model and stable, so the SDK's SeverityNumber enum is not needed.
const SHORT_NAMES: readonly string[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap(
  (name) => [name, `${name}2`, `${name}3`, `${name}4`],
);

const NONE: SeverityFields = Object.freeze({});

// Frozen, shared objects: resolving a severity on the hot path allocates nothing.
const BY_NUMBER: readonly SeverityFields[] = [
  NONE,
  ...SHORT_NAMES.map((text, i) => Object.freeze({ severityNumber: i + 1, severityText: text })),
];

const BY_NAME: ReadonlyMap<string, SeverityFields> = new Map(
  ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((name, i) => [
    name,
    BY_NUMBER[i * 4 + 1] as SeverityFields,
  ]),
);

/**
 * The severity fields for a reporter severity: a name (`'info'`, any case) gives the first
 * number of its range and its short name; an integer 1-24 gives itself and its short name
 * (`10` is `'INFO2'`). Anything else never throws: an unknown name is kept as `severityText`
 * alone, any other value leaves the severity unspecified.
 */
export function severityFields(severity: unknown): SeverityFields {
  if (typeof severity === 'number') return BY_NUMBER[severity] ?? NONE;
  if (typeof severity !== 'string') return NONE;
  return BY_NAME.get(severity) ?? BY_NAME.get(severity.toLowerCase()) ?? { severityText: severity };
}
