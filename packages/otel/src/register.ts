// `node --import @telemetry-reporter/otel/register app.js`: turns the reporter on for an existing
// service without touching its code. Everything comes from the environment; see
// configureFromEnvironment. A configuration error never stops the app: it is reported on stderr
// and the app runs without telemetry. getRegisteredTelemetry() gives the app what was set up.
import { configureFromEnvironment } from './setup/configure-from-environment.js';
import { setRegisteredTelemetry } from './setup/registered-telemetry.js';

try {
  setRegisteredTelemetry(await configureFromEnvironment());
} catch (error) {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`@telemetry-reporter/otel/register: telemetry is off: ${reason}\n`);
}
