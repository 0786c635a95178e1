// Keeps typing safe while answers save through htmx. A save's reply redraws its question (to
// show a format error, or someone else's answer); if the person has changed the question since
// that save was sent, the redraw is skipped, because their newer input is about to be saved too.

function snapshot(question) {
  return JSON.stringify(
    Array.from(question.querySelectorAll("input, textarea, select")).map((field) =>
      field.type === "checkbox" || field.type === "radio" ? field.checked : field.value,
    ),
  );
}

const sent = new WeakMap();

export function initAutosave(root = document.body) {
  root.addEventListener("htmx:beforeRequest", (event) => {
    const question = event.detail.elt;
    if (question.classList && question.classList.contains("app-question")) {
      sent.set(question, snapshot(question));
    }
  });
  root.addEventListener("htmx:oobBeforeSwap", (event) => {
    const question = event.detail.target;
    if (sent.has(question) && sent.get(question) !== snapshot(question)) {
      event.detail.shouldSwap = false;
    }
  });
}
