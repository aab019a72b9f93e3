// An htmx request that the server refuses (403, 404, 409, 429, 5xx: htmx-config in base.html
// swaps nothing for them) or that never reaches it would otherwise show nothing at all. The
// server's error page already says what went wrong in the person's language: its heading and
// message are shown in an alert (role="alert", read out at once) just above the form or button
// that sent the request, and the alert goes at the next request. A 422 (a form with errors) is
// swapped as usual and does not come here. The fallback texts (no readable page, no answer)
// come translated from the data attributes of this script's tag.
(function () {
  "use strict";

  var script = document.currentScript;
  var fallback = (script && script.getAttribute("data-failed")) || "";
  var unreachable = (script && script.getAttribute("data-unreachable")) || fallback;
  var region = null;

  function textOf(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function messageOf(xhr) {
    var heading = "";
    var message = "";
    var type = (xhr.getResponseHeader && xhr.getResponseHeader("Content-Type")) || "";
    if (type.indexOf("text/html") === 0 && xhr.responseText) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = doc.querySelector("main") || doc.body;
      heading = textOf(main && main.querySelector("h1"));
      message = textOf(main && (main.querySelector("h1 ~ p") || main.querySelector("p")));
    } else if (type.indexOf("application/json") === 0 && xhr.responseText) {
      try {
        message = String(JSON.parse(xhr.responseText).message || "");
      } catch (e) {
        message = "";
      }
    }
    if (!heading && !message) message = fallback;
    return { heading: heading, message: message };
  }

  function anchorFor(elt) {
    if (!elt || !elt.isConnected) return null;
    return elt.closest("form") || elt;
  }

  function show(elt, heading, message) {
    if (!region) {
      region = document.createElement("div");
      region.className = "ds-alert htmx-error";
      region.setAttribute("data-color", "danger");
      region.setAttribute("data-size", "sm");
      region.setAttribute("role", "alert");
    }
    region.textContent = "";
    var anchor = anchorFor(elt);
    if (anchor && anchor.parentNode) {
      anchor.parentNode.insertBefore(region, anchor);
    } else {
      var main = document.getElementById("main") || document.body;
      main.insertBefore(region, main.firstChild);
    }
    // filled after it is in the page, so that a screen reader announces the text
    var p = document.createElement("p");
    p.className = "ds-paragraph";
    p.setAttribute("data-size", "sm");
    if (heading) {
      var strong = document.createElement("strong");
      strong.textContent = heading + (message ? ": " : "");
      p.appendChild(strong);
    }
    if (message) p.appendChild(document.createTextNode(message));
    region.appendChild(p);
    if (region.scrollIntoView) region.scrollIntoView({ block: "nearest" });
  }

  function clear() {
    if (region && region.parentNode) region.parentNode.removeChild(region);
  }

  document.addEventListener("htmx:beforeRequest", clear);

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status === 422) return;
    var found = messageOf(xhr);
    show(event.detail.elt, found.heading, found.message);
  });

  document.addEventListener("htmx:sendError", function (event) {
    show(event.detail.elt, "", unreachable);
  });
})();
