// Starts Swagger UI. It lives in a file, not inline, so the page needs no 'unsafe-inline' script.
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (typeof window.SwaggerUIBundle !== "function") {
    return; // Swagger UI's files did not load: the fallback text stays.
  }
  document.getElementById("docs-fallback").hidden = true;
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    validatorUrl: null, // No call to swagger.io's online validator.
    presets: [window.SwaggerUIBundle.presets.apis],
  });
});
