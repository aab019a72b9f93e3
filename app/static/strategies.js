// Quoting a passage of a section in a comment: select text in the section (with a mouse or by
// long-pressing on a phone), then press "Kommenter markert tekst". The selection is remembered
// as it changes, because tapping a button on a touch screen may clear it before the click.
(function () {
  "use strict";
  var last = { key: null, text: "" };

  function sourceOf(node) {
    while (node && node.nodeType !== 1) { node = node.parentNode; }
    return node ? node.closest("[data-quote-source]") : null;
  }

  function buttonFor(key) {
    return document.querySelector('.quote-button[data-quote-for="' + key + '"]');
  }

  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) { return; }
    var start = sourceOf(sel.anchorNode);
    var end = sourceOf(sel.focusNode);
    var text = sel.toString().replace(/\s+/g, " ").trim();
    if (!start || start !== end || !text) { return; }
    last = { key: start.getAttribute("data-quote-source"), text: text.slice(0, 1000) };
    document.querySelectorAll(".quote-button").forEach(function (b) { b.hidden = true; });
    var button = buttonFor(last.key);
    if (button) { button.hidden = false; }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".quote-button");
    if (!button) { return; }
    var key = button.getAttribute("data-quote-for");
    var article = document.getElementById("s-" + key);
    if (!article) { return; }
    var details = article.querySelector("details.comment-form");
    if (details) { details.open = true; }
    var quote = document.getElementById("q-" + key);
    if (quote && last.key === key) { quote.value = last.text; }
    var body = document.getElementById("c-" + key);
    if (body) { body.focus(); }
  });
})();
