// The /docs page: Swagger UI (static/vendor/swagger-ui-bundle.js) over this app's /openapi.json. A file, not an
// inline script, so the page runs under the app's own CSP (script-src 'self').
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
