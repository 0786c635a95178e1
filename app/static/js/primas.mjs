// Starts GOV.UK Frontend's components on every page. Loaded as a module, so it runs only in
// browsers that GOV.UK Frontend supports; every journey also works with JavaScript off.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
