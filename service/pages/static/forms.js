// Small enhancements only: every form works without JavaScript (the server re-renders it).
// Kept in a static file because the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  var plural = new Intl.PluralRules(document.documentElement.lang || "fi");
  var number = new Intl.NumberFormat(document.documentElement.lang || "fi");

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

    document.querySelectorAll(".lnp-count[data-count-for]").forEach(counter);

    var dialog = document.getElementById("lnp-session");
    if (dialog && typeof dialog.showModal === "function") {
      sessionClock(dialog);
    }
  });

  // --- the session's idle limit -----------------------------------------------------------
  // Before the session ends (data-seconds-left, from the server when the page was made) a dialog
  // says when, and "Pysy kirjautuneena" starts the idle clock again. If it ends anyway, the
  // dialog says so: the typed values stay on the page, and sending the form asks for a new
  // sign-in and brings them back (service.pages.account).
  function sessionClock(dialog) {
    var title = document.getElementById("lnp-session-title");
    var text = document.getElementById("lnp-session-text");
    var stay = document.getElementById("lnp-session-stay");
    var close = document.getElementById("lnp-session-close");
    var warn = parseInt(dialog.getAttribute("data-warn"), 10) * 1000;
    var clock = new Intl.DateTimeFormat(document.documentElement.lang || "fi", { hour: "numeric", minute: "2-digit" });
    var ending = title.textContent;
    var warnTimer = null;
    var endTimer = null;
    var returnFocus = null;

    function schedule(secondsLeft) {
      // The server counts whole seconds: the page says the session ended only once the server
      // surely agrees (a form sent a moment earlier would still be answered as signed in).
      var endsAt = Date.now() + secondsLeft * 1000 + 1500;
      clearTimeout(warnTimer);
      clearTimeout(endTimer);
      warnTimer = setTimeout(function () { show(endsAt); }, Math.max(0, endsAt - Date.now() - warn));
      endTimer = setTimeout(ended, Math.max(0, endsAt - Date.now()));
    }

    function show(endsAt) {
      title.textContent = ending;
      text.textContent = text.getAttribute("data-ending").replace("{time}", clock.format(new Date(endsAt)));
      stay.hidden = false;
      close.hidden = true;
      if (!dialog.open) {
        returnFocus = document.activeElement;
        dialog.showModal();
      }
      stay.focus();
    }

    function ended() {
      title.textContent = title.getAttribute("data-ended");
      text.textContent = text.getAttribute("data-ended");
      stay.hidden = true;
      close.hidden = false;
      if (!dialog.open) {
        returnFocus = document.activeElement;
        dialog.showModal();
      }
      close.focus();
    }

    function done() {
      dialog.close();
      if (returnFocus && returnFocus.focus) {
        returnFocus.focus();
      }
    }

    stay.addEventListener("click", function () {
      var token = document.querySelector("input[name=csrf_token]");
      fetch(dialog.getAttribute("data-keep-alive"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) {
          throw new Error("session ended");
        }
        return response.json();
      }).then(function (answer) {
        schedule(answer.seconds_left);
        done();
      }).catch(ended);
    });
    close.addEventListener("click", done);
    // Escape closes the dialog: the clock keeps running, so it comes back when the session ends.
    dialog.addEventListener("cancel", function () { returnFocus = document.activeElement; });

    schedule(parseInt(dialog.getAttribute("data-seconds-left"), 10));
  }

  // --- how much is left of a text's length cap ------------------------------------------------
  // The words come from the form (data-count-left-one …, in the page's language, "{count}" for
  // the number); the count is what the schema counts: characters (not UTF-16 units) of the
  // trimmed text. A long text always shows its count; a one-line text only near its cap. A
  // screen reader hears the count once typing pauses, not at every key.
  function counter(element) {
    var input = document.getElementById(element.getAttribute("data-count-for"));
    var texts = element.closest("[data-count-left-other]");
    if (!input || !texts) {
      return;
    }
    var max = parseInt(element.getAttribute("data-max"), 10);
    var alwaysShown = !element.hidden;
    var status = document.createElement("span");
    status.className = "lnp-visually-hidden";
    status.setAttribute("aria-live", "polite");
    element.parentNode.insertBefore(status, element.nextSibling);
    element.setAttribute("aria-hidden", "true");
    var pause = null;

    function words(kind, count) {
      var category = plural.select(count) === "one" ? "one" : "other";
      return texts.getAttribute("data-count-" + kind + "-" + category).replace("{count}", number.format(count));
    }

    function update(announce) {
      var used = Array.from(input.value.trim()).length;
      var left = max - used;
      element.textContent = left >= 0 ? words("left", left) : words("over", -left);
      element.classList.toggle("lnp-count--over", left < 0);
      element.hidden = !(alwaysShown || used >= max * 0.8);
      if (announce) {
        clearTimeout(pause);
        pause = setTimeout(function () {
          status.textContent = element.hidden ? "" : element.textContent;
        }, 1000);
      }
    }

    input.addEventListener("input", function () { update(true); });
    update(false);
  }
})();
