// The API reference page (/api/v1/docs): Swagger UI, vendored in app/static/api-docs, drawing
// the service's own OpenAPI description. No validator badge (it would load from another site,
// which the content security policy refuses).
window.SwaggerUIBundle({
  url: document.body.dataset.openapi,
  dom_id: "#swagger-ui",
  deepLinking: false, // its links sit inside each operation's button (nested controls)
  validatorUrl: null,
  tryItOutEnabled: false,
  syntaxHighlight: false, // its colours are too faint to read
});
