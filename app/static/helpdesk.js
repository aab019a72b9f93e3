// A request's page (templates/helpdesk/_request_parts.html): the forms post with htmx and the
// answer swaps only the parts that changed, so the page keeps its place. htmx keeps the focus
// on an element that is swapped for one with the same id; when the focused element is gone
// (a step removed, the state button that no longer applies), the focus goes to the first field
// with an error in the form's part, else to that part's heading. Without this script the
// page still works, and without JavaScript the forms post and come back to their section.
(function () {
  "use strict";

  var lastPart = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest("[data-part]");
    lastPart = form ? form.getAttribute("data-part") : null;
  });

  // htmx carries an element's old style attribute over to the element that replaces it (its
  // "settling"), which the Content-Security-Policy refuses: the browser or a resized text box
  // may have given one. Nothing of ours is styled inline, so they go before the swap.
  document.addEventListener("htmx:beforeSwap", function () {
    var page = document.getElementById("sak");
    if (!page) return;
    page.querySelectorAll("[style]").forEach(function (el) { el.removeAttribute("style"); });
  });

  // The form may be gone from the page by now (swapped): listen where the new parts settle.
  document.addEventListener("htmx:afterSettle", function () {
    if (!lastPart) return;
    var name = lastPart;
    lastPart = null;
    window.setTimeout(function () { place(name); }, 0);
  });

  function place(name) {
    var part = document.getElementById(name);
    if (!part) return;
    var invalid = part.querySelector('[aria-invalid="true"], .visit-clash[tabindex]');
    if (invalid) {
      if (invalid.closest("details")) invalid.closest("details").open = true;
      invalid.focus();
      return;
    }
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) return;
    var heading = part.querySelector("h2[tabindex], h2") || part.closest("section") && part.closest("section").querySelector("h2");
    if (heading) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: false });
    }
  }
})();

// The history (a <details> in the part "historikk") is drawn closed: when an action redraws
// the part (or the whole page part "sak"), a history the person had opened stays open.
(function () {
  "use strict";

  var SELECTOR = "#historikk details.history-details";
  var wasOpen = false;

  document.addEventListener("htmx:beforeSwap", function () {
    var history = document.querySelector(SELECTOR);
    wasOpen = Boolean(history && history.open);
  });

  function reopen() {
    if (!wasOpen) return;
    var history = document.querySelector(SELECTOR);
    if (history && !history.open) history.open = true;
  }

  // after each out-of-band part, so that it never shows closed, and once more when all settled
  document.addEventListener("htmx:oobAfterSwap", reopen);
  document.addEventListener("htmx:afterSettle", function () {
    reopen();
    wasOpen = false;
  });
})();
