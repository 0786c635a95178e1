// Starts GOV.UK Frontend's components and our own on every page. Loaded as a module, so it runs
// only in browsers that GOV.UK Frontend supports; every journey also works with JavaScript off.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import { initSessionTimeout } from "/static/js/session-timeout.mjs";

initAll();
for (const root of document.querySelectorAll('[data-module="app-session-timeout"]')) {
  initSessionTimeout(root);
}
