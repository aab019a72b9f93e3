// Error summaries (macros.html form_error): name the field in front of each message, make the
// link move focus to the field, and move focus to the summary so a screen reader hears it.
// Works without this script too: the messages then link to the fields by id.
(function () {
  "use strict";

  function fieldFor(key) {
    var byName = '[name="' + (window.CSS && CSS.escape ? CSS.escape(key) : key) + '"]';
    return (
      document.querySelector(byName + '[aria-invalid="true"]') ||
      document.getElementById("f-" + key) ||
      document.querySelector(byName)
    );
  }

  function labelOf(field) {
    // A radio button's own label is one of the choices: the group's legend names the field.
    var group = field.type === "radio" && field.closest("fieldset");
    var legend = group && group.querySelector("legend");
    var label = !legend && field.id && document.querySelector('label[for="' + field.id + '"]');
    var source = legend || label;
    if (!source) return "";
    var copy = source.cloneNode(true);
    copy.querySelectorAll(".optional, .ds-sr-only").forEach(function (n) { n.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function enhance(root) {
    var summaries = (root || document).querySelectorAll("[data-error-summary]:not([data-ready])");
    summaries.forEach(function (summary, index) {
      summary.setAttribute("data-ready", "");
      summary.querySelectorAll("li[data-field]").forEach(function (item) {
        var field = fieldFor(item.getAttribute("data-field"));
        var link = item.querySelector("a");
        if (!field || !link) return;
        if (field.id) link.setAttribute("href", "#" + field.id);
        var name = labelOf(field);
        if (name) {
          var strong = document.createElement("strong");
          strong.textContent = name + (/[?:]$/.test(name) ? " " : ": ");
          link.insertBefore(strong, link.firstChild);
        }
        link.addEventListener("click", function (event) {
          event.preventDefault();
          field.focus();
        });
      });
      if (index === 0) summary.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
})();
