// Starts Swagger UI on /schema (a file, not an inline script: the CSP forbids those).
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: "/schema/openapi.json",
  dom_id: "#swagger-container",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
