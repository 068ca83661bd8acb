/**
 * `/docs`: Scalar's API reference of `/v1/openapi.json` (public, no token). The bundle is
 * served from this Worker's assets (vendor/scalar.js, copied from node_modules at build time);
 * fonts, telemetry and the AI agent are off, so the page makes no request beyond this origin.
 * The served document names this origin as its one server (servedOpenApiConfig in
 * src/http/openapi.ts), so the reference offers the deployment the page came from, or
 * 127.0.0.1:8787 under `npm start`.
 */
declare global {
  interface Window {
    Scalar?: { createApiReference: (selector: string, configuration: Record<string, unknown>) => unknown };
  }
}

const scalar = window.Scalar;
if (scalar === undefined) {
  document.body.textContent = "The API reference failed to load (vendor/scalar.js). The raw document is at /v1/openapi.json.";
} else {
  // Not "#api-reference": the bundle mounts a second, unconfigured reference on an element with that id.
  scalar.createApiReference("#reference", {
    url: "/v1/openapi.json",
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: "never",
    persistAuth: false,
    metaData: { title: "stockflare API reference" },
  });
}

export {};
