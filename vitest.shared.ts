// Shared by the packages' vitest configs: resolve workspace packages to their TypeScript sources
// (the "@telemetry-reporter/source" export condition), so a test of one package runs against the
// current source of the packages it imports, never against a stale build.
const conditions = ['@telemetry-reporter/source', 'node', 'development|production'];

/** Resolve options for `defineProject`. */
export const sourceResolution: {
  resolve: { conditions: string[] };
  ssr: { resolve: { conditions: string[] } };
} = {
  resolve: { conditions },
  ssr: { resolve: { conditions } },
};
