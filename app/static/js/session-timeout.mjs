// Warns a signed-in user before their session times out and lets them stay signed in
// (WCAG 2.2.1 Timing Adjustable). Without JavaScript every page shows the sign-out time with a
// "Stay signed in" button instead. Both buttons submit the same form through htmx, which swaps
// in a fresh copy carrying the new time; if the session has already ended the server's reply
// lands in #page-messages instead. The countdown runs on the browser's monotonic clock from
// the time left when the page was served, so a wrong computer clock does not matter.

const MINUTE = 60 * 1000;

function wordsFor(milliseconds) {
  if (milliseconds <= MINUTE) return "in less than a minute";
  const minutes = Math.ceil(milliseconds / MINUTE);
  return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
}

export function initSessionTimeout(root) {
  const dialog = root.querySelector(".app-session-timeout__dialog");
  const countdown = dialog.querySelector(".app-session-timeout__countdown");
  const announcement = dialog.querySelector("[data-countdown-announcement]");
  const warningMs = Number(root.dataset.warningSeconds) * 1000;
  const notice = () => root.querySelector(".app-session-timeout__notice");
  let deadline = 0;
  let timer = null;
  let lastAnnouncedMinute = null;

  function readDeadline() {
    const { expiresAt, now } = notice().dataset;
    deadline = performance.now() + (new Date(expiresAt) - new Date(now));
  }

  function showSignedOut() {
    window.clearTimeout(timer);
    dialog.querySelector("h2").textContent = "You have been signed out";
    dialog.querySelector("#session-timeout-message").textContent =
      "We signed you out to protect your information. What you typed is still on this page.";
    const link = document.createElement("a");
    link.className = "govuk-button";
    link.href = `/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Sign in again (opens in new tab)";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "govuk-button govuk-button--secondary";
    close.textContent = "Close";
    close.addEventListener("click", () => dialog.close());
    dialog.querySelector(".govuk-button-group").replaceChildren(link, close);
    if (!dialog.open) dialog.showModal();
    link.focus();
  }

  function tick() {
    const left = deadline - performance.now();
    if (left <= 0) {
      showSignedOut();
      return;
    }
    if (left <= warningMs) {
      if (!dialog.open) {
        dialog.showModal();
        dialog.querySelector("[data-action=stay-signed-in]").focus();
      }
      countdown.textContent = wordsFor(left);
      const minute = Math.ceil(left / MINUTE);
      if (minute !== lastAnnouncedMinute) {
        lastAnnouncedMinute = minute;
        announcement.textContent = `We will sign you out ${wordsFor(left)}.`;
      }
    }
    timer = window.setTimeout(tick, left > warningMs ? Math.min(left - warningMs, 60000) : 1000);
  }

  function restart() {
    window.clearTimeout(timer);
    readDeadline();
    lastAnnouncedMinute = null;
    if (dialog.open) dialog.close();
    tick();
  }

  function staySignedIn() {
    window.htmx.trigger(notice(), "submit");
  }

  function signOut() {
    const form = document.createElement("form");
    form.method = "post";
    form.action = "/sign-out";
    form.append(notice().querySelector("input[name=csrf_token]").cloneNode());
    document.body.append(form);
    form.submit();
  }

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id === "page-messages" && event.detail.xhr.status === 401) {
      showSignedOut();
    } else if (root.contains(event.detail.elt) || event.detail.elt === notice()) {
      restart();
    }
  });
  dialog.querySelector("[data-action=stay-signed-in]").addEventListener("click", staySignedIn);
  dialog.querySelector("[data-action=sign-out]").addEventListener("click", signOut);
  // Escape must not dismiss the warning silently: treat it as "stay signed in".
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (deadline - performance.now() > 0) staySignedIn();
  });
  readDeadline();
  tick();
}
