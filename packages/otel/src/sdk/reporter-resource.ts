import type { ReporterSdk, ResourceObjectLike } from './reporter-sdk.js';
import type { AttributesLike } from './sdk-types.js';

const SERVICE_NAME = 'service.name';

/**
 * The resource of the reporter's provider, built the way `NodeSDK` builds one so that nothing
 * about it surprises an OpenTelemetry user: the SDK's default resource (or the `Resource` given),
 * then the attributes given, then `OTEL_RESOURCE_ATTRIBUTES` / `OTEL_SERVICE_NAME`, then
 * `serviceName`; each later one wins.
 */
export function buildResource(
  sdk: ReporterSdk,
  resource: AttributesLike | ResourceObjectLike | undefined,
  serviceName: string | undefined,
): ResourceObjectLike {
  const { resources } = sdk;
  let result: ResourceObjectLike;
  if (isResource(resource)) {
    result = resource;
  } else {
    result = resources.defaultResource();
    if (resource !== undefined) result = result.merge(resources.resourceFromAttributes(resource));
  }
  result = result.merge(resources.detectResources({ detectors: [resources.envDetector] }));
  if (serviceName !== undefined) {
    result = result.merge(resources.resourceFromAttributes({ [SERVICE_NAME]: serviceName }));
  }
  return result;
}

/** True for an OpenTelemetry `Resource`; false for a plain attributes object. */
export function isResource(value: unknown): value is ResourceObjectLike {
  if (typeof value !== 'object' || value === null) return false;
  // `in`, not a read: reading `attributes` of a resource still detecting logs a diag error.
  return (
    typeof (value as Partial<ResourceObjectLike>).merge === 'function' && 'attributes' in value
  );
}
