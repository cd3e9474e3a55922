/* "Vis al kode": one switch per page that unfolds (or folds) every code cell folded behind
 * "Vis koden" (myst-nb's hide-input toggles, <details class="hide above-input">). Added only
 * on pages with folded code, just below the page's title; without JavaScript each toggle
 * still works on its own. */
(function () {
  "use strict";
  var SHOW = "Vis al kode";
  var HIDE = "Skjul al kode";
  function setup() {
    var cells = document.querySelectorAll("details.hide.above-input");
    // the page's title as shown (the theme repeats it in a print-only header)
    var title = Array.prototype.find.call(document.querySelectorAll("main h1"), function (h) {
      return !h.closest(".onlyprint");
    });
    if (!cells.length || !title || document.querySelector(".ledu-all-code")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "ledu-all-code";
    button.setAttribute("aria-pressed", "false");
    button.textContent = SHOW;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-pressed") !== "true";
      document.querySelectorAll("details.hide.above-input").forEach(function (d) {
        d.open = open;
      });
      button.setAttribute("aria-pressed", open ? "true" : "false");
      button.textContent = open ? HIDE : SHOW;
    });
    var after = title.nextElementSibling && title.nextElementSibling.classList.contains("ledu-quicklinks")
      ? title.nextElementSibling : title;
    after.insertAdjacentElement("afterend", button);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
