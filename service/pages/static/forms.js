// Small enhancements only: every form works without JavaScript (the server re-renders it).
// Kept in a static file because the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  ready(function () {
    // The error summary takes the focus, so a screen reader says what went wrong first. The
    // page also asks for it with `autofocus`; this covers a page restored from history.
    var summary = document.getElementById("error-summary");
    if (summary && document.activeElement !== summary && !summary.contains(document.activeElement)) {
      summary.focus();
    }

    // A link in the error summary moves the focus to its field and shows the field's label and
    // question above it, not the input alone at the top edge of the window.
    if (summary) {
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) {
          return;
        }
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) {
          return;
        }
        event.preventDefault();
        var box = target.closest("fieldset.hds-selection-group, .lnp-field, fieldset") || target;
        box.scrollIntoView({ block: "start" });
        target.focus({ preventScroll: true });
      });
    }
  });
})();
