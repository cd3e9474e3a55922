/* Accessibility fixes for markup the site does not write itself (loaded on every page).
 * - Vega-Embed's chart menu is a <details><summary> with only an icon: give it a name.
 * - The theme's search field names itself "Søg" while it shows "Søg Ctrl+K": let the visible
 *   text be its accessible name (WCAG 2.5.3, label in name). It exists only with JavaScript.
 * - The theme's colour-mode button is named in English and its icons carry titles: a Danish
 *   name, icons hidden from assistive technology. */
(function () {
  "use strict";
  var MENU = "Diagrammenu: gem diagrammet som SVG eller PNG";
  var MODE = "Farvetilstand (lys, mørk eller systemets)";
  function fix(root) {
    root.querySelectorAll(".vega-embed details > summary:not([aria-label])").forEach(function (s) {
      s.setAttribute("aria-label", MENU);
      s.setAttribute("title", MENU);
    });
    root.querySelectorAll("button.search-button-field[aria-label]").forEach(function (b) {
      b.removeAttribute("aria-label");
    });
    root.querySelectorAll(".theme-switch-button").forEach(function (b) {
      if (b.getAttribute("aria-label") !== MODE) {
        b.setAttribute("aria-label", MODE);
        b.setAttribute("data-bs-title", MODE);
      }
      b.querySelectorAll(".theme-switch:not([aria-hidden])").forEach(function (icon) {
        icon.setAttribute("aria-hidden", "true");
      });
      b.querySelectorAll(".theme-switch[title], .theme-switch title").forEach(function (t) {
        if (t.tagName.toLowerCase() === "title") { t.remove(); } else { t.removeAttribute("title"); }
      });
    });
  }
  function start() {
    fix(document);
    new MutationObserver(function () { fix(document); })
      .observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
