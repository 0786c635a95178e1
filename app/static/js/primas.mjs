// Starts GOV.UK Frontend's components and our own on every page. Loaded as a module, so it runs
// only in browsers that GOV.UK Frontend supports; every journey also works with JavaScript off.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import { initAutosave } from "/static/js/autosave.mjs";
import { initSessionTimeout } from "/static/js/session-timeout.mjs";

initAll();
initAutosave();
// Questions redrawn by a save (htmx) need their GOV.UK components started again.
document.body.addEventListener("htmx:load", (event) => {
  if (event.detail.elt !== document.body) initAll({ scope: event.detail.elt });
});

// After the user signs in again in another tab, the server sends this page the current form
// token (primas:csrf-token, see app/errors.py) so their next try succeeds.
document.body.addEventListener("primas:csrf-token", (event) => {
  const { token } = event.detail;
  document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRF-Token": token }));
  for (const input of document.querySelectorAll("input[name=csrf_token]")) {
    input.value = token;
  }
});
for (const root of document.querySelectorAll('[data-module="app-session-timeout"]')) {
  initSessionTimeout(root);
}
