// Starts Swagger UI on /api/docs (templates/api/docs.html). A file of its own, not an inline
// script, so the page runs under the app's Content-Security-Policy unchanged. The OpenAPI
// document's address comes from the page (data-openapi-url), which takes it from the app.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") { return; }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // No badge from the public validator service: nothing is fetched from elsewhere.
    validatorUrl: null
  });
})();
